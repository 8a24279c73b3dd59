{ pkgs, ... }:
{
  boot.initrd.systemd.enable = true;
  # An unknown package may provide anything: stay silent rather than guess.
  boot.initrd.systemd.initrdBin = [ pkgs.my-unlock-tools ];
  boot.initrd.systemd.services.unlock.script = "frobnicate --unlock";
}
