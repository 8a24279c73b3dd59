# The hardware configuration of a QEMU/KVM guest imports nixpkgs' qemu-guest profile, which adds
# virtio_net to boot.initrd.availableKernelModules.
{ ... }:
{
  imports = [ ./hardware-configuration.nix ];
  boot.initrd.network.enable = true;
  boot.initrd.network.ssh.enable = true;
}
