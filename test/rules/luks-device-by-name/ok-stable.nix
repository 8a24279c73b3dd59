{ ... }:
{
  boot.initrd.luks.devices.cryptroot.device = "/dev/disk/by-uuid/3f6d1e2a-1111-2222-3333-444455556666";
  fileSystems."/" = {
    device = "/dev/mapper/cryptroot";
    fsType = "ext4";
  };
  # Not mounted in stage 1: a renamed disk only fails this mount, later.
  fileSystems."/data".device = "/dev/sdb1";
}
