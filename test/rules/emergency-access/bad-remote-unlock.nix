# On a host with remote unlock the finding is a warning.
{ ... }:
{
  boot.initrd.network.enable = true;
  boot.initrd.network.ssh.enable = true;
  boot.initrd.systemd.emergencyAccess = true;
#                     ^^^^^^^^^^^^^^^^^^^^^^ emergency-access
}
