{ ... }:
{
  boot.initrd.availableKernelModules = [ "virtio_scsi" ];
  boot.initrd.network.enable = true;
}
