# Before system.stateVersion 26.11 forceImportRoot defaults to true: forceImportAll alone is accepted.
{ ... }:
{
  system.stateVersion = "26.05";
  networking.hostId = "8425e349";
  boot.supportedFilesystems = [ "zfs" ];
  boot.zfs.forceImportAll = true;
}
