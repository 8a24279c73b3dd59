# A shared profile gives the root a default kernel-name device; this host's disko layout defines
# the real file systems, so the default is not in effect.
{ lib, ... }:
{
  imports = [ ./disk.nix ];
  fileSystems."/" = lib.mkDefault { device = "/dev/sda1"; fsType = "ext4"; };
}
