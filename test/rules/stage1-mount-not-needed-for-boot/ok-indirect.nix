# neededForBoot given through inherit and through a helper: not absent.
{ lib, neededForBoot, ... }:
let
  persistFs = device: { inherit device; fsType = "ext4"; neededForBoot = true; };
in
{
  fileSystems."/persist" = {
    device = "/dev/disk/by-label/persist";
    fsType = "ext4";
    inherit neededForBoot;
  };
  fileSystems."/etc/ssh" = persistFs "/dev/disk/by-label/keys";
  fileSystems."/" = {
    device = "/dev/disk/by-label/nixos";
    fsType = "auto";
  };
  fileSystems."/".fsType = lib.mkForce "ext4";
}
