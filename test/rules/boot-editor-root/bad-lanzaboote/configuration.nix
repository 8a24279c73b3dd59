# lanzaboote's setup forces the systemd-boot module off, but lanzaboote installs systemd-boot
# itself and writes loader.conf's editor from boot.loader.systemd-boot.editor (default true).
{ ... }:
{
  imports = [ ./secure-boot.nix ];
  boot.loader.systemd-boot.enable = true;
#                          ^^^^^^^^^^^^^ boot-editor-root
  boot.initrd.luks.devices.crypted.device = "/dev/disk/by-partlabel/crypted";
  fileSystems."/" = { device = "/dev/mapper/crypted"; fsType = "ext4"; };
}
