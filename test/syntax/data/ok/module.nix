{ config, lib, pkgs, modulesPath, ... }:

with lib;

let
  cfg = config.services.unlock;
  unlockScript = pkgs.writeShellScript "unlock" ''
    set -euo pipefail
    ${pkgs.cryptsetup}/bin/cryptsetup open /dev/disk/by-uuid/${cfg.uuid} root
  '';
in
{
  imports = [ (modulesPath + "/installer/scan/not-detected.nix") ./hardware.nix ];

  options.services.unlock = {
    enable = mkEnableOption "remote unlock";
    uuid = mkOption { type = types.str; default = ""; description = "LUKS UUID"; };
  };

  config = mkIf cfg.enable (mkMerge [
    {
      boot.initrd.network = {
        enable = true;
        ssh = { enable = true; port = 2222; hostKeys = [ "/etc/secrets/initrd/ssh_host_ed25519_key" ]; };
        postCommands = ''
          echo "cryptsetup-askpass" >> /root/.profile
        '';
      };
      boot.loader.systemd-boot.configurationLimit = mkDefault 10;
    }
    (mkIf (cfg.uuid != "") {
      assertions = [ { assertion = builtins.stringLength cfg.uuid == 36; message = "bad uuid"; } ];
      boot.initrd.luks.devices.root.device = "/dev/disk/by-uuid/${cfg.uuid}";
    })
  ]);
}
