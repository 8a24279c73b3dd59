# A published configuration kept a debugging shell in stage 1.
# test: release 25.11
{ ... }:
{
  boot.initrd.postDeviceCommands = "/bin/sh";
#                                   ^^^^^^^ initrd-interactive-shell
  boot.initrd.preLVMCommands = ''
    echo "waiting for the admin"
    setsid cttyhack sh -i
#   ^^^^^^^^^^^^^^^^^^^^^ initrd-interactive-shell
  '';
  boot.initrd.luks.devices.root.preOpenCommands = ''
    bash
#   ^^^^ initrd-interactive-shell
  '';
}
