# test: boot systemd-boot host=alpha free=40MiB used=200MiB each=60MiB generations=4
# /boot holds (200 + 40) / 60 = 4 generations of the current size; the limit keeps 20.
{ ... }:
{
  networking.hostName = "alpha";
  boot.loader.systemd-boot.enable = true;
  boot.loader.systemd-boot.configurationLimit = 20;
  #                                             ^^ boot-partition-budget
}
