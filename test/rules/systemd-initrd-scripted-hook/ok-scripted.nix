# test: release 25.11
{ ... }:
{
  boot.initrd.postDeviceCommands = "zpool import -a";
  boot.initrd.network.postCommands = "echo hi";
}
