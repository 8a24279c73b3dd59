# test: boot systemd-boot host=alpha free=40MiB used=200MiB each=60MiB generations=4
# The measured machine is alpha; this is beta's configuration.
{ ... }:
{
  networking.hostName = "beta";
  boot.loader.systemd-boot.enable = true;
  boot.loader.systemd-boot.configurationLimit = 20;
}
