{ ... }:
{
  boot.loader.systemd-boot.enable = true;
#                          ^^^^^^^^^^^^^ boot-editor-root
  boot.initrd.luks.devices.cryptroot.device = "/dev/disk/by-uuid/5f1c0c4e-8d1b-4b0e-9d55-0f3a6a8f2c11";
  fileSystems."/" = { device = "/dev/mapper/cryptroot"; fsType = "ext4"; };
}
