{ ... }:
{
  boot.initrd.systemd.enable = true;
  fileSystems."/persist" = {
    device = "/dev/disk/by-label/persist";
    fsType = "ext4";
    neededForBoot = true;
  };
  fileSystems."/" = {
    device = "/dev/disk/by-label/nixos";
    fsType = "btrfs";
  };
  # Mounted after stage 1: "auto" is fine there.
  fileSystems."/data" = {
    device = "/dev/disk/by-label/data";
    fsType = "auto";
  };
}
