# The device is inherited from the host's own settings: it is set (to a value the linter does not know).
{ config, ... }:
{
  boot.loader.grub = {
    enable = true;
    inherit (config.machine) device;
  };
}
