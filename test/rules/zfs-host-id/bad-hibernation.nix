# Hibernation on a ZFS system whose root pool is force-imported by default (stateVersion before 26.11).
{ ... }:
{
  system.stateVersion = "25.11";
  networking.hostId = "8425e349";
  fileSystems."/" = { device = "rpool/root"; fsType = "zfs"; };
  boot.zfs.allowHibernation = true;
#          ^^^^^^^^^^^^^^^^^^^^^^^ zfs-host-id
}
