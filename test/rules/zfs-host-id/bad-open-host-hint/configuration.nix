{ ... }:
{
  boot.supportedFilesystems = [ "zfs" ];
#                               ^^^^^ zfs-host-id (hint)
  boot.zfs.forceImportAll = true;
}
