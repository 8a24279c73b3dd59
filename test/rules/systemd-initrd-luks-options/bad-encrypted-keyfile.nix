# encrypted-devices.nix asserts that systemd stage 1 key files are not under /mnt-root.
{ ... }:
{
  boot.initrd.systemd.enable = true;
  fileSystems."/data" = {
    device = "/dev/mapper/data";
    encrypted = {
      enable = true;
      label = "data";
      blkDev = "/dev/disk/by-uuid/3f6d1e2a-1111-2222-3333-444455556666";
      keyFile = "/mnt-root/root/data.key";
#               ^^^^^^^^^^^^^^^^^^^^^^^^^ systemd-initrd-luks-options
    };
  };
}
