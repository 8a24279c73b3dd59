{ ... }:
{
  boot.initrd.availableKernelModules = [ "nvme" "xhci_pci" "ahci" ];
}
