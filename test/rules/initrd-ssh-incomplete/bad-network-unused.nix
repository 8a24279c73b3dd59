{ ... }:
{
  boot.initrd.network.enable = true;
#                     ^^^^^^^^^^^^^ initrd-ssh-incomplete
  boot.initrd.availableKernelModules = [ "r8169" ];
}
