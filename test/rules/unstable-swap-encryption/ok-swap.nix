{ ... }:
{
  swapDevices = [
    { device = "/dev/disk/by-partuuid/5e1f0000-aaaa-bbbb-cccc-ddddeeeeffff"; randomEncryption.enable = true; }
    { device = "/dev/sdb2"; }
    { device = "/dev/sdc2"; randomEncryption = false; }
  ];
}
