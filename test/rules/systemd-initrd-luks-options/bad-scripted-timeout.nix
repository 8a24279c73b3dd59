# test: release 25.11
{ ... }:
{
  boot.initrd.luks.devices.root = {
    device = "/dev/disk/by-uuid/3f6d1e2a-1111-2222-3333-444455556666";
    keyFile = "/dev/disk/by-id/usb-key";
    keyFileTimeout = 5;
#   ^^^^^^^^^^^^^^^^^^ systemd-initrd-luks-options
  };
}
