{ lib, ... }:
{
  boot.loader.systemd-boot.configurationLimit = 1;
#                                               ^ rollback-generation-limit
  boot.loader.grub.configurationLimit = lib.mkForce 2;
#                                                   ^ rollback-generation-limit
  boot.loader.generic-extlinux-compatible = {
    enable = true;
    configurationLimit = 2;
#                        ^ rollback-generation-limit
  };
}
