{ ... }:
{
  networking.hostId = "8425e349";
  fileSystems."/".fsType = "zfs";
  fileSystems."/".device = "rpool/root";
}
