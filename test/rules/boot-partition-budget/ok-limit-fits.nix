# test: boot systemd-boot host=alpha free=40MiB used=200MiB each=60MiB generations=4
# /boot holds 4; systemd-boot removes old entries before copying the new one, so a limit of 4 fits.
{ ... }:
{
  networking.hostName = "alpha";
  boot.loader.systemd-boot.enable = true;
  boot.loader.systemd-boot.configurationLimit = 4;
}
