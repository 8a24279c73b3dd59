{ ... }:
{
  boot.initrd.luks.devices.crypted.device = "/dev/disk/by-partlabel/crypted";
  fileSystems."/" = { device = "/dev/mapper/crypted"; fsType = "ext4"; };
}
