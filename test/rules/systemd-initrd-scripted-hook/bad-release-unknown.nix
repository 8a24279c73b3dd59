{ ... }:
{
  boot.initrd.preLVMCommands = "echo hello";
#             ^^^^^^^^^^^^^^ systemd-initrd-scripted-hook
}
