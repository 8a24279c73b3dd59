# test: boot systemd-boot host=beta free=50MiB used=300MiB each=40MiB generations=7
# No configurationLimit: systemd-boot keeps every generation; the free space holds 1 more.
{ ... }:
{
  networking.hostName = "beta";
  boot.loader.systemd-boot.enable = true;
# ^ boot-partition-budget
  boot.loader.efi.canTouchEfiVariables = true;
}
