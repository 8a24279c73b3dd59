# test: boot systemd-boot host=alpha free=40MiB used=200MiB each=60MiB generations=4 partial
# Not every file the boot entries load was found in /boot: the count could be wrong either way.
{ ... }:
{
  networking.hostName = "alpha";
  boot.loader.systemd-boot.enable = true;
  boot.loader.systemd-boot.configurationLimit = 20;
}
