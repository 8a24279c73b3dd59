{ pkgs, ... }:
{
  boot.initrd.systemd.enable = true;
  boot.initrd.systemd.storePaths = [ "${pkgs.python3}/bin/python3" ];
  boot.initrd.systemd.initrdBin = [ pkgs.systemd pkgs.cryptsetup pkgs.zfs.out ];
  boot.initrd.systemd.extraBin.unlock = "${pkgs.my-unlock}/bin/unlock";
}
