# test: release 25.11
{ ... }:
{
  # Scripted stage 1: these are all fine here.
  boot.initrd.luks.reusePassphrases = true;
  boot.initrd.luks.devices.root = {
    device = "/dev/disk/by-uuid/3f6d1e2a-1111-2222-3333-444455556666";
    preLVM = false;
    fallbackToPassword = true;
    keyFileTimeout = null;
  };
}
