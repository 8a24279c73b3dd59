# test: boot extlinux host=pi free=20MiB used=120MiB each=35MiB generations=3
# extlinux keeps 20 by default; /boot holds 4.
{ ... }:
{
  networking.hostName = "pi";
  boot.loader.grub.enable = false;
  boot.loader.generic-extlinux-compatible.enable = true;
# ^ boot-partition-budget
}
