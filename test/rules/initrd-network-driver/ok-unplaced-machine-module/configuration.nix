# The repository's one host imports its hardware file; machines/vm.nix is wired into another
# machine by a helper outside these files, together with a hardware file that adds the NIC
# driver, so nothing is known about the drivers of the machine it belongs to.
{ ... }:
{
  imports = [ ./hardware-configuration.nix ];
  boot.loader.systemd-boot.enable = true;
}
