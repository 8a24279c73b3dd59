# Seed 000: a stage-1 unlock service whose tool is not in the initrd.
{ pkgs, lib, ... }:
let
  sedKeyBin = "${pkgs.sed-key}/bin/sed-key";
in
{
  boot.initrd.systemd.enable = true;
  boot.initrd.systemd.services.nvme-hw-key = {
    wantedBy = [ "initrd.target" ];
    before = [ "systemd-cryptsetup@root.service" ];
    unitConfig.DefaultDependencies = false;
    path = [ pkgs.sed-key ];
    script = ''
      ${pkgs.sed-key}/bin/sed-key status /dev/nvme0n1
#     ^^^^^^^^^^^^^^^^^^^^^^^^^^^ initrd-missing-command
      cat /keys/nvme.key | ${sedKeyBin} unlock /dev/nvme0n1 -
#                          ^^^^^^^^^^^^ initrd-missing-command
      sed-key lock /dev/nvme1n1
#     ^^^^^^^ initrd-missing-command
      curl -s http://10.0.0.1/ok || echo offline
#     ^^^^ initrd-missing-command
      systemctl start cryptsetup.target
    '';
  };
}
