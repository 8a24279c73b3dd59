# test: release 25.11
{ pkgs, ... }:
{
  # Renamed: NixOS warns at every rebuild.
  boot.cleanTmpDir = true;
#      ^^^^^^^^^^^ unknown-boot-option (warning)
  # Renamed at a time nixboot has no date for: the host's release may predate it, so a hint.
  boot.loader.grub.timeout = 3;
#             ^^^^^^^^^^^^ unknown-boot-option (hint)
  boot.initrd.systemd.enableTpm2 = true;
#                     ^^^^^^^^^^ unknown-boot-option
  boot.initrd.services.swraid.enable = true;
#      ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ unknown-boot-option (warning)
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
