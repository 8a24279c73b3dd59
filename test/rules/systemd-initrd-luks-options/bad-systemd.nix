{ ... }:
{
  boot.initrd.systemd.enable = true;
  boot.initrd.luks.reusePassphrases = true;
#                  ^^^^^^^^^^^^^^^^^^^^^^^ systemd-initrd-luks-options
  boot.initrd.luks.yubikeySupport = true;
#                  ^^^^^^^^^^^^^^^^^^^^^ systemd-initrd-luks-options
  boot.initrd.luks.devices.root = {
    device = "/dev/disk/by-uuid/3f6d1e2a-1111-2222-3333-444455556666";
    preLVM = false;
#   ^^^^^^^^^^^^^^ systemd-initrd-luks-options
    fallbackToPassword = true;
#   ^^^^^^^^^^^^^^^^^^^^^^^^^ systemd-initrd-luks-options
  };
}
