# The whole grub set comes from elsewhere: its device is unknown, not absent.
{ config, ... }:
{
  boot.loader.grub = config.machine.grub;
  boot.loader.grub.enable = true;
}
