{ ... }:
{
  boot.initrd = {
    network.ssh.enable = true;
#               ^^^^^^^^^^^^^ initrd-ssh-inactive
  };
}
