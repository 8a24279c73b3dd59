# A shared profile turns systemd-boot off only as a default; the machine turns it on: on.
{ ... }:
{
  imports = [ ./profile.nix ];
  boot.loader.systemd-boot.enable = true;
#                          ^^^^^^^^^^^^^ boot-editor-root
  boot.initrd.luks.devices.crypted.device = "/dev/disk/by-partlabel/crypted";
  fileSystems."/" = { device = "/dev/mapper/crypted"; fsType = "ext4"; };
}
