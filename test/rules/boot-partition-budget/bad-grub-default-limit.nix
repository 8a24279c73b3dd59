# test: boot grub host=delta free=100MiB used=300MiB each=100MiB generations=3
# GRUB keeps 100 generations unless told otherwise; /boot holds 4 (3 after the copy-first peak).
{ ... }:
{
  networking.hostName = "delta";
  boot.loader.grub.enable = true;
# ^ boot-partition-budget
  boot.loader.grub.device = "/dev/disk/by-id/ata-disk";
}
