# test: boot systemd-boot host=alpha free=10GiB used=200MiB each=60MiB generations=4
# /boot holds over 100 generations of the current size: ample, nothing to say.
{ ... }:
{
  networking.hostName = "alpha";
  boot.loader.systemd-boot.enable = true;
  boot.loader.systemd-boot.configurationLimit = 120;
}
