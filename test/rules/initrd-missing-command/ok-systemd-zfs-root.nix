# Root on ZFS: zfs.nix puts zfs and zpool (from the zfs package's sbin/) on the systemd stage-1
# /bin, and the unit may name the package through config.boot.zfs.package.
{ config, pkgs, ... }:
{
  fileSystems."/" = { device = "rpool/local/root"; fsType = "zfs"; };
  boot.initrd.systemd.enable = true;
  boot.initrd.systemd.services.rollback = {
    wantedBy = [ "initrd.target" ];
    path = with pkgs; [ zfs ];
    script = ''
      ${config.boot.zfs.package}/sbin/zfs rollback -r rpool/local/root@blank
      ${config.boot.zfs.package}/bin/zfs list
      zfs list -t snapshot | awk '{ print $1 }'
    '';
  };
}
