# The guard is a let alias and the script is let-bound too, wrapped in mkBefore.
{ config, lib, ... }:
let
  script = ''
    btrfs subvolume snapshot /mnt/root-blank /mnt/root
  '';
  systemdStage1 = config.boot.initrd.systemd.enable;
in
{
  boot.initrd.systemd.enable = true;
  boot.initrd.postDeviceCommands = lib.mkIf (!systemdStage1) (lib.mkBefore script);
}
