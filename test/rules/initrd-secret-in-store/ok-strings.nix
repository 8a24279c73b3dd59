{ pkgs, ... }:
{
  boot.initrd.network.ssh.hostKeys = [ "/etc/secrets/initrd/ssh_host_ed25519_key" ];
  boot.initrd.network.ssh.authorizedKeyFiles = [ ./keys/me.pub ];
  boot.initrd.secrets."/keyfile.bin" = "/etc/secrets/keyfile.bin";
  boot.initrd.secrets."/etc/empty" = null;
  boot.initrd.systemd.contents."/etc/motd".source = ./motd.txt;
}
