{ ... }:
{
  boot.initrd.luks.devices.cryptroot.device = "/dev/nvme0n1p2";
#                                             ^^^^^^^^^^^^^^^^ luks-device-by-name
  boot.resumeDevice = "/dev/sda2";
#                     ^^^^^^^^^^^ luks-device-by-name
  fileSystems."/" = {
    device = "/dev/sda1";
#            ^^^^^^^^^^^ luks-device-by-name
    fsType = "ext4";
  };
  fileSystems."/persist" = {
    device = "/dev/vdb1";
#            ^^^^^^^^^^^ luks-device-by-name
    neededForBoot = true;
  };
}
