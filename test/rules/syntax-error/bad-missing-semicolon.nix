{
  networking.hostName = "box"
  boot.initrd.network.postCommands = "echo hi; exit";
# ^^^^ syntax-error
}
