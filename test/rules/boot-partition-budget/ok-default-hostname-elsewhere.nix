# test: boot systemd-boot host=nixos free=20MiB used=180MiB each=50MiB generations=4
# No networking.hostName and not in the measured system's /etc/nixos: a machine merely named "nixos" like countless others.
{ ... }:
{
  boot.loader.systemd-boot.enable = true;
  boot.loader.systemd-boot.configurationLimit = lib.mkDefault 10;
}
