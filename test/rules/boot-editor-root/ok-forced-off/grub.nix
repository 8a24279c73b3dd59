{ lib, ... }:
{
  # This machine boots with GRUB: the shared systemd-boot setting is forced off.
  boot.loader.systemd-boot.enable = lib.mkForce false;
  boot.loader.grub.enable = true;
  boot.loader.grub.efiSupport = true;
  boot.loader.grub.device = "nodev";
}
