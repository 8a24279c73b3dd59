# test: boot systemd-boot host=alpha free=40MiB used=200MiB each=60MiB generations=4
# The configuration uses GRUB, /boot has systemd-boot entries: the measurement is of another setup.
{ ... }:
{
  networking.hostName = "alpha";
  boot.loader.grub.enable = true;
  boot.loader.grub.device = "nodev";
  boot.loader.grub.configurationLimit = 20;
}
