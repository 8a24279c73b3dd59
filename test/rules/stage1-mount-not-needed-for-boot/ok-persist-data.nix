# A data disk mounted at /persist (shares, backups): nothing the early boot reads lives there —
# no impermanence root, no secret key, no host key — so it can be mounted late like any other.
{ ... }:
{
  fileSystems."/persist" = {
    device = "tank/persist";
    fsType = "zfs";
  };
  services.samba.settings.share.path = "/persist/share";
}
