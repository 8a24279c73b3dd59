# From system.stateVersion 26.11 forceImportRoot defaults to false, so forceImportAll alone trips the assertion.
{ ... }:
{
  system.stateVersion = "26.11";
  networking.hostId = "8425e349";
  boot.supportedFilesystems = [ "zfs" ];
  boot.zfs.forceImportAll = true;
#          ^^^^^^^^^^^^^^^^^^^^^ zfs-host-id
}
