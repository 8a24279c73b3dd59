# Seed 001's remote unlock, after switching to systemd stage 1.
{ ... }:
{
  boot.initrd.systemd.enable = true;
  boot.initrd.network = {
    enable = true;
    postCommands = ''
#   ^^^^^^^^^^^^ systemd-initrd-scripted-hook
      echo "zfs load-key -a; killall zfs" >> /root/.profile
    '';
  };
  boot.initrd.postDeviceCommands = "zpool import -a";
#             ^^^^^^^^^^^^^^^^^^ systemd-initrd-scripted-hook
  boot.initrd.luks.devices.root.preOpenCommands = "sleep 2";
#                               ^^^^^^^^^^^^^^^ systemd-initrd-scripted-hook
  boot.initrd.postMountCommands = "";
}
