{ ... }:
{
  imports = [ ./beta-hardware.nix ./common.nix ];
  boot.initrd.network.enable = true;
#                     ^^^^^^^^^^^^^ initrd-network-driver
}
