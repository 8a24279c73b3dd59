# The machine of this repository mounts / by label; the provider profile under profiles/ is not
# imported by it (kept for machines elsewhere).
{ ... }:
{
  imports = [ ./hardware-configuration.nix ];
  boot.loader.grub.enable = true;
  boot.loader.grub.devices = [ "/dev/disk/by-id/ata-EXAMPLE" ];
}
