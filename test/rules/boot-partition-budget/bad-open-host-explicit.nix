# test: boot systemd-boot host=eta free=40MiB used=200MiB each=60MiB generations=4
# The host imports a module the linter cannot read, but writes its host name and limit itself.
{ ... }:
{
  imports = [ ./hardware-configuration.nix ];
  networking.hostName = "eta";
  boot.loader.systemd-boot.enable = true;
  boot.loader.systemd-boot.configurationLimit = 20;
  #                                             ^^ boot-partition-budget
}
