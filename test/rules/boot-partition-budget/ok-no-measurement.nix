# Nothing was measured (no nixboot.systemRoot profile, no --root): the rule says nothing.
{ ... }:
{
  networking.hostName = "alpha";
  boot.loader.systemd-boot.enable = true;
  boot.loader.systemd-boot.configurationLimit = 100;
}
