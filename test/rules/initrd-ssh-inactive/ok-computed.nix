{ config, ... }:
{
  boot.initrd.network.enable = config.my.remoteUnlock;
  boot.initrd.network.ssh.enable = true;
}
