# test: release 26.05
{ ... }:
{
  boot.initrd.systemd.enable = false;
  boot.initrd.postDeviceCommands = "zpool import -a";
}
