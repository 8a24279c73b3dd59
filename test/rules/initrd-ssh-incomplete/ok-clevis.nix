{ ... }:
{
  boot.initrd.network.enable = true;
  boot.initrd.clevis.enable = true;
  boot.initrd.clevis.devices.root.secretFile = "/etc/clevis/root.jwe";
}
