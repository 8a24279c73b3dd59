{ ... }:
{
  fileSystems."/nix".device = "/dev/sda3";
#                             ^^^^^^^^^^^ zfs-device-not-dataset
}
