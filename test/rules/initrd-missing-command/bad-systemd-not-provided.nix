# ext4 only on a file system stage 1 does not mount: ext.nix adds no e2fsprogs to stage 1. The
# default extraBin takes mount/umount from the initrd systemd's util-linux (util-linuxMinimal), a
# different store path from pkgs.util-linux.
{ pkgs, ... }:
{
  fileSystems."/" = { device = "/dev/disk/by-label/nixos"; fsType = "xfs"; };
  fileSystems."/srv" = { device = "/dev/disk/by-label/srv"; fsType = "ext4"; };
  boot.initrd.systemd.enable = true;
  boot.initrd.systemd.services.format-scratch = {
    wantedBy = [ "initrd.target" ];
    script = ''
      mkfs.ext4 -F /dev/disk/by-label/scratch
#     ^^^^^^^^^ initrd-missing-command
      xfs_repair -n /dev/disk/by-label/nixos
      ${pkgs.util-linux}/bin/umount /run/scratch
#     ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ initrd-missing-command
    '';
  };
}
