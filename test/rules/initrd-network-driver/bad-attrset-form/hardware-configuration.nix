{ ... }:
{
  boot.initrd.availableKernelModules = { nvme = true; xhci_pci = true; };
}
