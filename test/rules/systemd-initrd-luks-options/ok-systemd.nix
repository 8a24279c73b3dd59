{ ... }:
{
  boot.initrd.systemd.enable = true;
  boot.initrd.luks.devices.root = {
    device = "/dev/disk/by-uuid/3f6d1e2a-1111-2222-3333-444455556666";
    keyFileTimeout = 5;
    crypttabExtraOpts = [ "fido2-device=auto" ];
  };
}
