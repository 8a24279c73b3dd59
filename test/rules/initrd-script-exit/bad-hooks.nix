# test: release 25.05
{ lib, ... }:
let
  unlock = ''
    cryptsetup open /dev/disk/by-uuid/x root || exit 1
#                                               ^^^^^^ initrd-script-exit
  '';
in
{
  boot.initrd.preLVMCommands = lib.mkBefore unlock;
  boot.initrd.postDeviceCommands = lib.mkIf true ''
    if ! test -e /dev/mapper/root; then
      return
#     ^^^^^^ initrd-script-exit
    fi
  '';
  boot.initrd.luks.devices.root.preOpenCommands = "sleep 2; exec /bin/sh -i";
#                                                           ^^^^^^^^^^^^^^^ initrd-script-exit
  boot.initrd.preFailCommands = ''
    die() { echo "$1"; exit 1; }
#                      ^^^^^^ initrd-script-exit
    die "stage 1 failed"
  '';
  boot.initrd = {
    postMountCommands = lib.mkMerge [ "true" "exit 0" ];
#                                             ^^^^^^ initrd-script-exit
  };
}
