{ ... }:
{
  disko.devices.disk.main = {
    device = "/dev/disk/by-id/ata-EXAMPLE";
    content = { type = "gpt"; partitions.root = { size = "100%"; content = { type = "filesystem"; format = "ext4"; mountpoint = "/"; }; }; };
  };
}
