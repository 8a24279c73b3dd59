# test: release 25.11
# Scripted stage 1 mounts the neededForBoot file systems under /mnt-root first: the path is right there.
{ ... }:
{
  fileSystems."/data".encrypted = {
    enable = true;
    label = "data";
    blkDev = "/dev/disk/by-uuid/3f6d1e2a-1111-2222-3333-444455556666";
    keyFile = "/mnt-root/root/data.key";
  };
  fileSystems."/srv".encrypted.keyFile = "/sysroot/root/srv.key";
}
