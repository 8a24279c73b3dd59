{ ... }:
{
  imports = [ ./hardware-configuration.nix ];
  boot.supportedFilesystems = { zfs = true; };
  boot.zfs.forceImportAll = true;
}
