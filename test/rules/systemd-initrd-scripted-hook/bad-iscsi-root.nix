# An iSCSI root (root-initiator.nix asserts "systemd stage 1 does not support iscsi yet").
{ ... }:
{
  boot.initrd.systemd.enable = true;
  boot.iscsi-initiator = {
    name = "iqn.2020-08.org.linux-iscsi.initiatorhost:example";
#   ^^^^ systemd-initrd-scripted-hook
    discoverPortal = "192.168.1.1:3260";
    target = "iqn.2020-08.org.linux-iscsi.targethost:example";
  };
}
