# Stage-1 services started by something other than wantedBy: a timer of the same name, a udev rule
# (ENV{SYSTEMD_WANTS}), another unit's OnFailure=, and overrides of units systemd or NixOS define.
{ pkgs, ... }:
{
  boot.initrd.systemd.enable = true;
  boot.initrd.systemd.services.poll-key = {
    script = "echo polling";
  };
  boot.initrd.systemd.timers.poll-key = {
    wantedBy = [ "initrd.target" ];
    timerConfig.OnActiveSec = "5s";
  };
  boot.initrd.systemd.services.usb-key-plugged = {
    script = "echo key plugged";
  };
  boot.initrd.services.udev.rules = ''
    SUBSYSTEM=="usb", ATTRS{idVendor}=="1050", ENV{SYSTEMD_WANTS}+="usb-key-plugged.service"
  '';
  boot.initrd.systemd.services.report-failure = {
    script = "echo failed";
  };
  boot.initrd.systemd.services.unlock-root = {
    wantedBy = [ "initrd.target" ];
    before = [ "cryptsetup-pre.target" ];
    unitConfig.OnFailure = "report-failure.service";
    script = "cryptsetup open /dev/sda2 root";
  };
  boot.initrd.systemd.services.emergency.serviceConfig.ExecStart = [ "" "${pkgs.bash}/bin/bash" ];
}
