{ ... }:
{
  boot.supportedFilesystems = [ "zfs" ];
  fileSystems."/" = { device = "rpool/root"; fsType = "zfs"; };
}
