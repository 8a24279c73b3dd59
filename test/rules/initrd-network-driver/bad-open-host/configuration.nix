# A module of a flake input may add the driver: the finding stays, as a hint naming the module
# (test/nixos/stage1Contents.test.ts checks the severity).
{ inputs, ... }:
{
  imports = [ ./hardware-configuration.nix inputs.nixos-hardware.nixosModules.common-cpu-intel ];
  boot.initrd.systemd.network.enable = true;
#                             ^^^^^^^^^^^^^ initrd-network-driver
}
