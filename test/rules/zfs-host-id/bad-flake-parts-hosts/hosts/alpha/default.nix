{ ... }:
{
  boot.supportedFilesystems = [ "zfs" ];
  networking.hostId = "8425e349";
}
