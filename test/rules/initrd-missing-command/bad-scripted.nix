# test: release 25.05
{ pkgs, ... }:
{
  boot.initrd.postDeviceCommands = ''
    sed-key unlock /dev/nvme0n1 - < /keys/k
#   ^^^^^^^ initrd-missing-command
    curl http://10.0.0.1/key > /key
#   ^^^^ initrd-missing-command
    ${pkgs.sed-key}/bin/sed-key status /dev/nvme0n1
    blkid; modprobe nvme; mount -t tmpfs none /mnt; udevadm settle
  '';
}
