# A provider profile that only applies when a machine selects it with the repository's own
# option. No host here imports it, so no machine is known to select it.
{ config, lib, ... }:
{
  config = lib.mkIf (config.my.provider == "smallvps") {
    fileSystems."/" = {
      device = "/dev/vda1";
      fsType = "ext4";
    };
  };
}
