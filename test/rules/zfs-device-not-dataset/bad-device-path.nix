# A ZFS root written like an ext4 one.
{ ... }:
{
  fileSystems."/" = {
    device = "/dev/disk/by-id/nvme-Samsung_SSD_980-part2";
#            ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ zfs-device-not-dataset
    fsType = "zfs";
  };
  networking.hostId = "8425e349";
}
