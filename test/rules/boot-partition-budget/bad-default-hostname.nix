# test: boot systemd-boot host=nixos free=20MiB used=180MiB each=50MiB generations=4 own-config
# No networking.hostName: the host is "nixos" (the default), the measured system's name, and this is that system's own /etc/nixos.
{ ... }:
{
  boot.loader.systemd-boot.enable = true;
  boot.loader.systemd-boot.configurationLimit = lib.mkDefault 10;
  #                                                           ^^ boot-partition-budget
}
