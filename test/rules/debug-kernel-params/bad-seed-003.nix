# Seed 003's debugging tips, committed.
{ ... }:
{
  boot.kernelParams = [
    "quiet"
    "boot.debug1devices"
#   ^^^^^^^^^^^^^^^^^^^^ debug-kernel-params
    "boot.trace"
#   ^^^^^^^^^^^^ debug-kernel-params
  ];
  boot.kernelParams = [ "console=ttyS0" "boot.panic_on_fail" ];
#                                       ^^^^^^^^^^^^^^^^^^^^ debug-kernel-params
}
