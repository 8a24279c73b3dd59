# test: release 26.05
{ ... }:
{
  boot.initrd.systemd.enable = true;
}
