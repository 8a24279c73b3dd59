{ pkgs, ... }:
{
  systemd.package = pkgs.systemd;
  boot.initrd.systemd.suppressedUnits = [ "systemd-bsod.service" ];
}
