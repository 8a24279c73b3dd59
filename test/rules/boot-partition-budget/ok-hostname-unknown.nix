# test: boot systemd-boot host=alpha free=40MiB used=200MiB each=60MiB generations=4
# The host name is computed: which machine this is cannot be told from the text.
{ name, ... }:
{
  networking.hostName = name;
  boot.loader.systemd-boot.enable = true;
  boot.loader.systemd-boot.configurationLimit = 20;
}
