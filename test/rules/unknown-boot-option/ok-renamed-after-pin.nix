# test: release 22.11
# NixOS 22.11 predates the move of the /tmp options under boot.tmp (23.05) and of swraid to
# boot.swraid (23.11): these names are the current ones for this host.
{
  boot.cleanTmpDir = true;
  boot.tmpOnTmpfs = false;
  boot.initrd.services.swraid.enable = true;
}
