# test: boot systemd-boot host=zeta free=10MiB used=100MiB each=50MiB generations=2
# /boot holds 2 generations: not even 3 fit, so no limit is suggested (rollback-generation-limit).
{ ... }:
{
  networking.hostName = "zeta";
  boot.loader.systemd-boot.enable = true;
  boot.loader.systemd-boot.configurationLimit = 5;
  #                                             ^ boot-partition-budget
}
