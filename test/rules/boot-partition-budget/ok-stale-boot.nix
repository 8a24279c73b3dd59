# test: boot systemd-boot host=alpha free=40MiB used=200MiB each=60MiB generations=4 stale
# /boot has no entry for the newest generation: the loader does not write there now.
{ ... }:
{
  networking.hostName = "alpha";
  boot.loader.systemd-boot.enable = true;
  boot.loader.systemd-boot.configurationLimit = 20;
}
