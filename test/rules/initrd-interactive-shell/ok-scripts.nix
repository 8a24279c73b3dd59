# Shells that run a script, or that are not in /init, are fine.
# test: release 25.11
{ pkgs, ... }:
{
  boot.initrd.postDeviceCommands = ''
    sh -c "echo hello"
    sh /etc/resize.sh
    echo "mdadm --assemble --scan" | sh
    ( sh )
    sh < /etc/commands
    bash ${pkgs.writeText "x" "true"}
  '';
  boot.initrd.systemd.services.debug.script = "/bin/sh";
}
