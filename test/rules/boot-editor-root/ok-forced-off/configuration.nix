# The shared part turns systemd-boot on; the machine's boot-loader module forces it off (GRUB),
# so systemd-boot's editor is never installed.
{ ... }:
{
  imports = [ ./grub.nix ];
  boot.loader.systemd-boot.enable = true;
  boot.initrd.luks.devices.crypted.device = "/dev/disk/by-partlabel/crypted";
  fileSystems."/" = { device = "/dev/mapper/crypted"; fsType = "ext4"; };
}
