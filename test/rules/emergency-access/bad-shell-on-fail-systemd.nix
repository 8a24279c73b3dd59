# Under systemd stage 1 boot.shell_on_fail does nothing (only scripted stage 1's /init reads it):
# say that, as information, instead of warning about a root shell that cannot open (this host
# unlocks remotely, which would otherwise make it a warning).
{ ... }:
{
  boot.initrd.systemd.enable = true;
  boot.initrd.network.enable = true;
  boot.initrd.network.ssh.enable = true;
  boot.kernelParams = [ "quiet" "boot.shell_on_fail" ];
#                               ^^^^^^^^^^^^^^^^^^^^ emergency-access (info)
}
