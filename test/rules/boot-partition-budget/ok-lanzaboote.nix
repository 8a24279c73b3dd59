# test: boot systemd-boot host=alpha free=40MiB used=200MiB each=60MiB generations=4
# lanzaboote replaces systemd-boot's installer: its limit and copies are its own.
{ lib, ... }:
{
  networking.hostName = "alpha";
  boot.loader.systemd-boot.enable = lib.mkForce false;
  boot.lanzaboote.enable = true;
  boot.lanzaboote.pkiBundle = "/var/lib/sbctl";
}
