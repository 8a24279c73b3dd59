{ ... }:
{
  boot.initrd.systemd.emergencyAccess = "$6$rounds=65536$abcdefgh$0123456789";
  boot.kernelParams = [ "quiet" "splash" ];
}
