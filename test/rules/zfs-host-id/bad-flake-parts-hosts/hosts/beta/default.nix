{ ... }:
{
  boot.supportedFilesystems = [ "zfs" ];
#                               ^^^^^ zfs-host-id (error)
}
