{ ... }:
{
  swapDevices = [
    { device = "/dev/sda3"; randomEncryption.enable = true; }
#              ^^^^^^^^^^^ unstable-swap-encryption
    {
      device = "/dev/nvme0n1p3";
#              ^^^^^^^^^^^^^^^^ unstable-swap-encryption
      randomEncryption = {
        enable = true;
        cipher = "aes-xts-plain64";
      };
    }
  ];
}
