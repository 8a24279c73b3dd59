# NixOS' DigitalOcean module sets boot.loader.grub.devices itself.
{ modulesPath, ... }:
{
  imports = [ (modulesPath + "/virtualisation/digital-ocean-config.nix") ];
  boot.loader.grub.enable = true;
}
