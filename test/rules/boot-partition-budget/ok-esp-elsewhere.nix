# test: boot systemd-boot host=alpha free=40MiB used=200MiB each=60MiB generations=4
# systemd-boot copies into /boot/efi, not the /boot that was measured.
{ ... }:
{
  networking.hostName = "alpha";
  boot.loader.systemd-boot.enable = true;
  boot.loader.efi.efiSysMountPoint = "/boot/efi";
  boot.loader.systemd-boot.configurationLimit = 20;
}
