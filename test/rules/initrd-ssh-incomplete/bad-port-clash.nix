# test: release 25.11
{ ... }:
{
  services.openssh.enable = true;
  users.users.root.openssh.authorizedKeys.keys = [ "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIB me@laptop" ];
  boot.initrd.network.enable = true;
  boot.initrd.network.ssh = {
    enable = true;
#   ^^^^^^^^^^^^^ initrd-ssh-incomplete
    hostKeys = [ "/etc/secrets/initrd/ssh_host_ed25519_key" ];
  };
}
