{ config, ... }:
{
  boot.initrd.network.enable = true;
  boot.initrd.availableKernelModules = [ "nvme" ] ++ config.my.nicModules;
}
