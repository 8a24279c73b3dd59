# python3 is copied whole, and the stage-1 unit runs it (it needs its standard library too):
# initrd-missing-command counts it as provided, so this rule does not call the same store path too big.
{ pkgs, ... }:
{
  boot.initrd.systemd = {
    enable = true;
    storePaths = with pkgs; [ cryptsetup python3 sed-key ];
    services.nvme-hw-key = {
      wantedBy = [ "initrd.target" ];
      script = ''
        ${pkgs.python3}/bin/python3 /etc/unlock.py | ${pkgs.sed-key}/bin/sed-key unlock /dev/nvme0n1 -
      '';
    };
  };
}
