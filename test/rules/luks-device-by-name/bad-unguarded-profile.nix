# The same profile without a guard: whoever imports it mounts / by kernel name.
{ ... }:
{
  fileSystems."/" = {
    device = "/dev/vda1";
#            ^^^^^^^^^^^ luks-device-by-name
    fsType = "ext4";
  };
}
