# test: boot systemd-boot host=nixos free=20MiB used=180MiB each=50MiB generations=4
# No networking.hostName: the host is "nixos" (the default), the measured system's name.
{ ... }:
{
  boot.loader.systemd-boot.enable = true;
  boot.loader.systemd-boot.configurationLimit = lib.mkDefault 10;
  #                                                           ^^ boot-partition-budget
}
