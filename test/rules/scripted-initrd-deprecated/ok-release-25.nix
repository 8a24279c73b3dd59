# test: release 25.11
# Scripted stage 1 is still the default on 25.11: saying so is not deprecated yet.
{ ... }:
{
  boot.initrd.systemd.enable = false;
}
