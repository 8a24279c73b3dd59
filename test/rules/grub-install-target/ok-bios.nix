{ ... }:
{
  boot.loader.grub.enable = true;
  boot.loader.grub.devices = [ "/dev/disk/by-id/ata-Samsung_SSD_860-part1" ];
}
