# test: boot grub host=delta free=100MiB used=300MiB each=100MiB generations=3
# GRUB copies the new generation before removing the oldest: 4 kept means 5 at once, /boot holds 4.
{ ... }:
{
  networking.hostName = "delta";
  boot.loader.grub = {
    enable = true;
    device = "/dev/disk/by-id/ata-disk";
    configurationLimit = 4;
    #                    ^ boot-partition-budget
  };
}
