{ ... }:
{
  boot.supportedFilesystems = [ "btrfs" "ntfs" ];
  fileSystems."/".fsType = "ext4";
}
