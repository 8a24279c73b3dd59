{ ... }:
{
  boot.initrd.network.ssh.enable = true;
  boot.initrd.systemd.network.enable = true;
}
