# The old ZFS setup is no longer imported (the import is commented out): old/zfs.nix belongs to no
# host, so host-level absence rules say nothing about it.
{ ... }:
{
  imports = [
    ./hardware-configuration.nix
    # ./old/zfs.nix
  ];
  boot.loader.systemd-boot.enable = true;
}
