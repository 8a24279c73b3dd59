# Stage-1 networking is the main system's networkd configuration, copied whole: whether it is
# enabled is unknown, not absent.
{ config, ... }:
{
  boot.initrd.systemd.enable = true;
  boot.initrd.systemd.network = config.systemd.network;
  boot.initrd.network.ssh.enable = true;
  boot.initrd.network.ssh.hostKeys = [ "/etc/secrets/initrd/ssh_host_ed25519_key" ];
  boot.initrd.network.ssh.authorizedKeys = [ "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIExample admin" ];
}
