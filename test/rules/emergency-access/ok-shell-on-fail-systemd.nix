# Under systemd stage 1 boot.shell_on_fail opens nothing (only scripted stage 1's /init reads
# it): there is no root shell to warn about, so the rule says nothing, even on a host that
# unlocks remotely.
{ ... }:
{
  boot.initrd.systemd.enable = true;
  boot.initrd.network.enable = true;
  boot.initrd.network.ssh.enable = true;
  boot.kernelParams = [ "quiet" "boot.shell_on_fail" ];
}
