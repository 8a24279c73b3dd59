# NixOS 26.05 module lists may be attribute sets: the driver is in `kernelModules.igb = true;`.
{ ... }:
{
  imports = [ ./hardware-configuration.nix ];
  boot.initrd.network.enable = true;
  boot.initrd.kernelModules.igb = true;
}
