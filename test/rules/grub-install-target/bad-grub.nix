{ ... }:
{
  boot.loader.grub = {
    enable = true;
#   ^^^^^^^^^^^^^ grub-install-target
    efiInstallAsRemovable = true;
#   ^^^^^^^^^^^^^^^^^^^^^^^^^^^^ grub-install-target
#   ^^^^^^^^^^^^^^^^^^^^^^^^^^^^ grub-install-target
  };
  boot.loader.efi.canTouchEfiVariables = true;
}
