# The type in one file, the device in the hardware configuration of the same host.
{ ... }:
{
  imports = [ ./hardware-configuration.nix ];
  fileSystems."/nix".fsType = "zfs";
  networking.hostId = "8425e349";
}
