# test: boot systemd-boot host=eta free=10MiB used=200MiB each=60MiB generations=4
# No limit written, and the host imports a module the linter cannot read: it may set one.
{ ... }:
{
  imports = [ ./hardware-configuration.nix ];
  networking.hostName = "eta";
  boot.loader.systemd-boot.enable = true;
}
