# test: boot systemd-boot host=alpha free=40MiB used=200MiB each=60MiB generations=4 mount=/efi
# The measured boot directory is /efi; the configuration copies into the default /boot.
{ ... }:
{
  networking.hostName = "alpha";
  boot.loader.systemd-boot.enable = true;
  boot.loader.systemd-boot.configurationLimit = 20;
}
