# Remote unlock, but the hardware configuration only lists storage drivers (seed 003's lesson).
{ ... }:
{
  imports = [ ./hardware-configuration.nix ];
  boot.initrd.network.enable = true;
#                     ^^^^^^^^^^^^^ initrd-network-driver
  boot.initrd.network.ssh.enable = true;
}
