{ ... }:
{
  boot.kernelParams = [ "quiet" "splash" "boot.shell_on_fail" "console=ttyS0,115200" ];
}
