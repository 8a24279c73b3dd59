{ ... }:
{
  boot.initrd.compressor = "xz";
  boot.initrd.compressorArgs = [ "-9e" "-T0" ];
#                              ^^^^^^^^^^^^^^^ initrd-compressor
}
