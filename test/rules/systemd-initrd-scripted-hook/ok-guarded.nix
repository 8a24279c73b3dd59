# Scripted hooks that only apply without systemd stage 1 (as nixpkgs' initrd-ssh.nix writes them):
# not used under systemd stage 1, so nothing to reject.
{ config, lib, ... }:
let
  scripted = !config.boot.initrd.systemd.enable;
  cfg = config.boot.initrd.systemd;
in
{
  boot.initrd.systemd.enable = true;
  boot.initrd.network.postCommands = lib.mkIf (!config.boot.initrd.systemd.enable) ''
    echo 'cryptsetup-askpass' >> /root/.profile
  '';
  boot.initrd.postMountCommands = lib.optionalString scripted ''
    mkdir -p /mnt-root/persist
  '';
  boot.initrd.preLVMCommands = if cfg.enable then "" else ''
    sleep 2
  '';
  config = lib.mkIf (!cfg.enable && config.boot.initrd.network.enable) {
    boot.initrd.postDeviceCommands = "echo devices up";
  };
}
