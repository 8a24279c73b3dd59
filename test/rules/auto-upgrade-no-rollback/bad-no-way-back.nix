{ ... }:
{
  system.autoUpgrade = {
    enable = true;
    flake = "github:me/config";
    allowReboot = true;
#   ^^^^^^^^^^^^^^^^^^ auto-upgrade-no-rollback
  };
  boot.loader.timeout = 0;
  boot.loader.systemd-boot.configurationLimit = 2;
}
