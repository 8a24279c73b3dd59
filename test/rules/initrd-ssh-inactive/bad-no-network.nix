{ ... }:
{
  boot.initrd.network.ssh.enable = true;
#                         ^^^^^^^^^^^^^ initrd-ssh-inactive
  boot.initrd.network.ssh.hostKeys = [ "/etc/secrets/initrd/ssh_host_ed25519_key" ];
}
