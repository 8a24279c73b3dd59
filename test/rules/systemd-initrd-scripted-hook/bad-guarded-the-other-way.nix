# Guarded by the wrong condition: the hook applies exactly when systemd stage 1 is on.
{ config, lib, ... }:
{
  boot.initrd.systemd.enable = true;
  boot.initrd.postMountCommands = lib.mkIf config.boot.initrd.systemd.enable ''
#             ^^^^^^^^^^^^^^^^^ systemd-initrd-scripted-hook
    mkdir -p /mnt-root/persist
  '';
}
