# Hibernation with force imports off.
{ ... }:
{
  system.stateVersion = "26.05";
  networking.hostId = "8425e349";
  fileSystems."/" = { device = "rpool/root"; fsType = "zfs"; };
  boot.zfs.unsafeAllowHibernation = true;
  boot.zfs.forceImportRoot = false;
}
