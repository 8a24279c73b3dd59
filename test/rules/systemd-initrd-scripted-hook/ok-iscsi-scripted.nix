# test: release 26.05
# An iSCSI root pinned to scripted stage 1, and one left unset.
{ lib, ... }:
{
  boot.initrd.systemd.enable = false;
  boot.iscsi-initiator.name = "iqn.2020-08.org.linux-iscsi.initiatorhost:example";
}
