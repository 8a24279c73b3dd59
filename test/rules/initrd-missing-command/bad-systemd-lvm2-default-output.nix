# lvm2's programs are in its `bin` output: `${pkgs.lvm2}/bin/lvm` names a file that does not exist,
# even with lvm2 in initrdBin (which links lvm2.bin's programs into /bin).
{ pkgs, ... }:
{
  boot.initrd.systemd.enable = true;
  boot.initrd.systemd.initrdBin = [ pkgs.lvm2 ];
  boot.initrd.systemd.services.activate = {
    wantedBy = [ "initrd.target" ];
    script = ''
      ${pkgs.lvm2}/bin/lvm vgchange -ay
#     ^^^^^^^^^^^^^^^^^^^^ initrd-missing-command
      ${pkgs.lvm2.bin}/bin/lvm vgscan
    '';
  };
}
