# test: boot systemd-boot host=alpha free=40MiB used=200MiB each=60MiB generations=4
# Silenced with a comment on the line above.
{ ... }:
{
  networking.hostName = "alpha";
  boot.loader.systemd-boot.enable = true;
  # nixboot: ignore boot-partition-budget
  boot.loader.systemd-boot.configurationLimit = 20;
}
