{ ... }:
{
  boot.resumeDevice = "/dev/disk/by-uuid/5e1f0000-aaaa-bbbb-cccc-ddddeeeeffff";
  boot.kernelParams = [ "resume_offset=533760" ];
}
