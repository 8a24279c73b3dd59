# The host imports a module from a flake input: the authorized keys may come from it.
{ inputs, ... }:
{
  imports = [ inputs.admins.nixosModules.keys ];
  boot.initrd.network.enable = true;
  boot.initrd.network.ssh.enable = true;
#                         ^^^^^^^^^^^^^ initrd-ssh-incomplete (hint)
  boot.initrd.network.ssh.hostKeys = [ "/etc/secrets/initrd/ssh_host_ed25519_key" ];
}
