{ ... }:
{
  boot.initrd.compressor = "zst";
#                          ^^^^^ initrd-compressor
}
