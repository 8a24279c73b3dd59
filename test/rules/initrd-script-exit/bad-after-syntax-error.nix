# A broken file still gets every diagnostic that can be found.
{
  networking.hostName = "box"
  boot.initrd.network.postCommands = "echo hi >> /root/.profile; exit";
#                                                                ^^^^ initrd-script-exit
  boot.loader.grub.device = ;
  boot.initrd.postMountCommands = "exit 1";
#                                  ^^^^^^ initrd-script-exit
}
