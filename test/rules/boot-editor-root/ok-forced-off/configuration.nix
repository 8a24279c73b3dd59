# The machine module turns systemd-boot on; a secure-boot module of the same host forces it off
# (lanzaboote replaces it), so systemd-boot's editor is never installed.
{ ... }:
{
  imports = [ ./secure-boot.nix ];
  boot.loader.systemd-boot.enable = true;
  boot.initrd.luks.devices.crypted.device = "/dev/disk/by-partlabel/crypted";
  fileSystems."/" = { device = "/dev/mapper/crypted"; fsType = "ext4"; };
}
