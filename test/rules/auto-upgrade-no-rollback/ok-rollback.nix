{ ... }:
{
  system.autoUpgrade = {
    enable = true;
    allowReboot = true;
  };
  boot.loader.timeout = 5;
  boot.loader.systemd-boot.configurationLimit = 10;
}
