# The attrset form (NixOS 26.05) lists storage drivers only; the one network driver is switched off.
{ ... }:
{
  imports = [ ./hardware-configuration.nix ];
  boot.initrd.network.enable = true;
#                     ^^^^^^^^^^^^^ initrd-network-driver
  boot.initrd.kernelModules.r8169 = false;
}
