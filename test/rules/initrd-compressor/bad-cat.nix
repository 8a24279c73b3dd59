{ ... }:
{
  boot.initrd.compressor = "cat";
#                          ^^^^^ initrd-compressor
}
