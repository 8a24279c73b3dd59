# The lock pins a nixos-unstable of 2024-07-01: these options were removed or renamed only in
# 2025 and 2026, so at this revision they are the current ones.
{ lib, ... }:
{
  boot.initrd.systemd.strip = false;
  boot.bootspec.enable = lib.mkForce true;
  boot.zfs.allowHibernation = true;
}
