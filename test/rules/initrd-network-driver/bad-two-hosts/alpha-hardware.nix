{ ... }:
{
  boot.initrd.availableKernelModules = [ "nvme" "ahci" "r8169" ];
}
