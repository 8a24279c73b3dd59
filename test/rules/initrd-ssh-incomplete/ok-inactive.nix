# Without stage-1 networking the module is off and asserts nothing (initrd-ssh-inactive reports this).
{ ... }:
{
  boot.initrd.network.ssh.enable = true;
}
