{ ... }:
{
  boot.loader.systemd-boot.enable = true;
  boot.loader.systemd-boot.editor = false;
  boot.initrd.luks.devices.cryptroot.device = "/dev/disk/by-uuid/3f6d1e2a-1111-2222-3333-444455556666";
}
