# Root on ZFS: zfs.nix already puts the zfs package's programs and libraries into stage 1, so
# listing zfs in initrdBin adds nothing large.
{ pkgs, ... }:
{
  fileSystems."/" = { device = "rpool/local/root"; fsType = "zfs"; };
  boot.initrd.systemd.enable = true;
  boot.initrd.systemd.initrdBin = with pkgs; [ zfs ];
}
