# What initrd.nix puts in every systemd stage 1: initrdBin = [ bashInteractive coreutils
# cfg.package.kmod cfg.package ], extraBin less/mount/umount/fsck, storePaths "${pkgs.bash}/bin".
{ pkgs, ... }:
{
  boot.initrd.systemd.enable = true;
  boot.initrd.systemd.initrdBin = [ pkgs.lvm2 ];
  boot.initrd.systemd.services.check = {
    wantedBy = [ "initrd.target" ];
    script = ''
      ${pkgs.coreutils}/bin/echo starting
      ${pkgs.systemd}/bin/systemctl start cryptsetup.target
      ${pkgs.systemd}/bin/udevadm settle
      ${pkgs.kmod}/bin/modprobe dm_crypt
      ${pkgs.bash}/bin/bash -c true
      ${pkgs.lvm2.bin}/bin/lvm vgchange -ay
      lvm vgscan
      modprobe nvme; systemctl --no-block start x; umount /run/x; mount -a; less /etc/fstab
    '';
  };
}
