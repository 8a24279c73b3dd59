{ ... }:
{
  imports = [ ./hardware-configuration.nix ];
  boot.initrd.network.enable = true;
  boot.initrd.availableKernelModules = [ "r8169" ];
}
