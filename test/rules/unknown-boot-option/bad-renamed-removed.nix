{ pkgs, ... }:
{
  # Renamed: NixOS warns at every rebuild.
  boot.cleanTmpDir = true;
#      ^^^^^^^^^^^ unknown-boot-option
  boot.loader.grub.timeout = 3;
#             ^^^^^^^^^^^^ unknown-boot-option
  boot.initrd.systemd.enableTpm2 = true;
#                     ^^^^^^^^^^ unknown-boot-option
  boot.initrd.services.swraid.enable = true;
#      ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ unknown-boot-option
  boot.tmp = {
    useTmpfs = true;
  };
  # Removed: evaluation fails.
  boot.initrd.network.ssh.hostRSAKey = ./dropbear_rsa_key;
#                         ^^^^^^^^^^ unknown-boot-option
  boot.loader.grub.trustedBoot.enable = true;
#                  ^^^^^^^^^^^ unknown-boot-option
  boot.zfs = {
    enableUnstable = true;
#   ^^^^^^^^^^^^^^ unknown-boot-option
  };
}
