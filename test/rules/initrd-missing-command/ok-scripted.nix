# test: release 25.05
{ pkgs, ... }:
{
  boot.initrd.extraUtilsCommands = ''
    copy_bin_and_libs ${pkgs.sed-key}/bin/sed-key
  '';
  boot.initrd.postDeviceCommands = ''
    sed-key unlock /dev/nvme0n1 - < /keys/k
    cryptsetup status root
    zpool import -a
    waitDevice /dev/disk/by-uuid/x
    ip addr; udhcpc -i eth0; awk '{print}' /proc/cmdline | sed s/a/b/
  '';
}
