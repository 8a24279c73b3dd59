# The hook only exists without systemd stage 1, and this host uses systemd stage 1: it never runs.
{ config, lib, ... }:
{
  boot.initrd.systemd.enable = true;
  boot.initrd.postDeviceCommands = lib.mkIf (!config.boot.initrd.systemd.enable) ''
    exit 0
  '';
}
