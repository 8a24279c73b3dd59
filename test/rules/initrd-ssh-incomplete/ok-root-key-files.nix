# authorizedKeyFiles defaults to users.users.root.openssh.authorizedKeys.keyFiles (initrd-ssh.nix).
{ ... }:
{
  boot.initrd.network.enable = true;
  boot.initrd.network.ssh = {
    enable = true;
    port = 2222;
    hostKeys = [ "/etc/secrets/initrd/ssh_host_ed25519_key" ];
  };
  users.users.root.openssh.authorizedKeys.keyFiles = [ ./admin.pub ];
}
