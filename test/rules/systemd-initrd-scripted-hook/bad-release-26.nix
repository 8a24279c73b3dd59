# test: release 26.05
{ ... }:
{
  boot.initrd.postResumeCommands = ''
#             ^^^^^^^^^^^^^^^^^^ systemd-initrd-scripted-hook
    zfs rollback -r rpool/local/root@blank
  '';
}
