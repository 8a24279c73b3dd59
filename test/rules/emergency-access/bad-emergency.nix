{ ... }:
{
  boot.initrd.systemd.emergencyAccess = true;
#                     ^^^^^^^^^^^^^^^^^^^^^^ emergency-access
  boot.kernelParams = [ "quiet" "boot.shell_on_fail" ];
#                               ^^^^^^^^^^^^^^^^^^^^ emergency-access
}
