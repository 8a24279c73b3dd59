{ config, lib, pkgs, ... }:
let inherit (lib) mkIf; in
{
  boot.initrd.postDeviceCommands = mkIf config.boot.initrd.enable ''
    echo "fine"
  '';
}
