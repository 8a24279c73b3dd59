# test: release 25.11
{
  boot.initrd.postMountCommands = ''
    # nixboot: ignore initrd-script-exit
    exit 0
  '';
}
