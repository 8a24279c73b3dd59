# ext.nix adds e2fsprogs to initrdBin when ext4 is needed in stage 1 (the root file system here).
{ pkgs, ... }:
{
  fileSystems."/" = {
    device = "/dev/disk/by-label/nixos";
    fsType = "ext4";
  };
  boot.initrd.systemd.enable = true;
  boot.initrd.systemd.services.format-scratch = {
    wantedBy = [ "initrd.target" ];
    script = ''
      mkfs.ext4 -F /dev/disk/by-label/scratch
      e2fsck -p /dev/disk/by-label/scratch
      ${pkgs.e2fsprogs}/bin/tune2fs -l /dev/disk/by-label/scratch
    '';
  };
}
