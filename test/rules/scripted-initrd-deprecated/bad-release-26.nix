# test: release 26.05
# The upgrade fix for a scripted remote-unlock configuration: it works for one release.
{ ... }:
{
  boot.initrd.systemd.enable = false;
#                     ^^^^^^^^^^^^^^ scripted-initrd-deprecated
  boot.initrd.network.enable = true;
}
