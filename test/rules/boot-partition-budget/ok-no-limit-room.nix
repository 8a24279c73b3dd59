# test: boot systemd-boot host=beta free=200MiB used=300MiB each=40MiB generations=7
# No configurationLimit, but the free space holds 5 more of the current size.
{ ... }:
{
  networking.hostName = "beta";
  boot.loader.systemd-boot.enable = true;
}
