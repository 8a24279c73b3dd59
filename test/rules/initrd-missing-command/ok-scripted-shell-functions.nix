# test: release 25.05
# Scripted hooks are pasted into the one /init: a function defined in preLVMCommands is defined
# when postDeviceCommands runs.
{
  boot.initrd.preLVMCommands = ''
    unlock_disk() { echo "unlocking $1"; }
  '';
  boot.initrd.postDeviceCommands = ''
    unlock_disk /dev/nvme0n1
  '';
}
