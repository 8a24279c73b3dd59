{ ... }:
{
  boot.initrd.systemd.enable = true;
  fileSystems."/" = {
    device = "/dev/disk/by-label/nixos";
    fsType = "auto";
#            ^^^^^^ stage1-mount-not-needed-for-boot
  };
}
