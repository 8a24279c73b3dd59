# test: boot grub host=epsilon free=30MiB used=160MiB each=80MiB generations=2
# GRUB is on by default; the finding goes on its device. Not even 3 generations fit: no quick fix.
{ ... }:
{
  networking.hostName = "epsilon";
  boot.loader.grub.device = "/dev/sda";
# ^ boot-partition-budget
}
