{ pkgs, ... }:
{
  boot.initrd.compressor = "zstd";
  boot.initrd.compressorArgs = [ "-19" ];
}
