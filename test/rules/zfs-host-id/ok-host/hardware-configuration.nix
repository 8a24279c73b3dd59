{ ... }:
{
  networking.hostId = "8425e349";
  fileSystems."/" = {
    device = "rpool/root";
    fsType = "zfs";
  };
}
