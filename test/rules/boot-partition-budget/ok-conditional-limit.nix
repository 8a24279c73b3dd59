# test: boot systemd-boot host=alpha free=40MiB used=200MiB each=60MiB generations=4
# The limit is set under a condition: which value is in effect is not known.
{ config, lib, ... }:
{
  networking.hostName = "alpha";
  boot.loader.systemd-boot.enable = true;
  boot.loader.systemd-boot.configurationLimit = lib.mkIf config.services.xserver.enable 20;
}
