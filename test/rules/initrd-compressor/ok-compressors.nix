{ pkgs, ... }:
{
  boot.initrd.compressor = "xz";
  boot.initrd.compressorArgs = [ "-9e" "--check=crc32" ];
}
