# Seed 001: the remote-unlock one-liner with `exit` outside the quotes.
# test: release 25.11
{ config, pkgs, ... }:
{
  boot.initrd.network = {
    enable = true;
    ssh = {
      enable = true;
      port = 2222;
      hostKeys = [ "/etc/secrets/initrd/ssh_host_ed25519_key" ];
      authorizedKeys = [ "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIB example" ];
    };
    postCommands = ''
      echo "zfs load-key zroot; killall zfs" \
        >> /root/.profile; exit
#                          ^^^^ initrd-script-exit
    '';
  };
}
