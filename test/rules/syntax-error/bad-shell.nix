# test: release 25.11
{
  boot.initrd.postDeviceCommands = ''
    echo "unterminated
#        ^ syntax-error
  '';
}
