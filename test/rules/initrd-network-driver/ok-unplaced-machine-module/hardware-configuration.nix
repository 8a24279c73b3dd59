{ ... }:
{
  boot.initrd.availableKernelModules = [ "nvme" "xhci_pci" ];
  fileSystems."/" = { device = "/dev/disk/by-label/nixos"; fsType = "ext4"; };
}
