# Two machines in one repository: alpha's hardware configuration has its NIC driver, beta's does
# not. alpha's r8169 must not hide beta's missing driver (each host is what its root file imports).
{ ... }:
{
  imports = [ ./alpha-hardware.nix ./common.nix ];
  boot.initrd.network.enable = true;
}
