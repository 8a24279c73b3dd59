# The disk layout has a BIOS boot partition (EF02): disko sets boot.loader.grub.devices from it.
{ ... }:
{
  imports = [ ./disk.nix ];
  boot.loader.grub.enable = true;
}
