{ ... }:
{
  disko.devices.disk.main = {
    device = "/dev/disk/by-id/ata-EXAMPLE";
    type = "disk";
    content = {
      type = "gpt";
      partitions.boot = { size = "1M"; type = "EF02"; };
      partitions.root = { size = "100%"; content = { type = "filesystem"; format = "ext4"; mountpoint = "/"; }; };
    };
  };
}
