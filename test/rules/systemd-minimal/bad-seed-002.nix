# Seed 002: shrinking a kexec image with the minimal systemd.
{ pkgs, lib, ... }:
{
  systemd.package = pkgs.systemdMinimal;
#                   ^^^^^^^^^^^^^^^^^^^ systemd-minimal
  boot.initrd.systemd.package = lib.mkForce pkgs.systemdMinimal;
#                                           ^^^^^^^^^^^^^^^^^^^ systemd-minimal
}
