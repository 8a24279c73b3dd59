{ ... }:
{
  boot.supportedFilesystems = [ "zfs" ];
#                               ^^^^^ zfs-host-id
  boot.zfs.forceImportAll = true;
#          ^^^^^^^^^^^^^^^^^^^^^ zfs-host-id
  boot.zfs.forceImportRoot = false;
  fileSystems."/" = {
    device = "rpool/root";
    fsType = "zfs";
  };
}
