# test: release 25.11
{ ... }:
{
  boot.initrd.network = {
    enable = true;
    ssh.enable = true;
#       ^^^^^^^^^^^^^ initrd-ssh-incomplete
#       ^^^^^^^^^^^^^ initrd-ssh-incomplete
  };
}
