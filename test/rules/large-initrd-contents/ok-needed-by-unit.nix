# util-linux is copied whole, and the stage-1 unit runs its programs: initrd-missing-command counts
# them as provided, so this rule does not call the same store path too big.
{ pkgs, ... }:
{
  boot.initrd.systemd = {
    enable = true;
    storePaths = with pkgs; [ cryptsetup util-linux coreutils sed-key ];
    services.nvme-hw-key = {
      wantedBy = [ "initrd.target" ];
      script = ''
        ${pkgs.sed-key}/bin/sed-key unlock /dev/nvme0n1 - < /keys/nvme.key
        ${pkgs.util-linux}/bin/umount /keys
      '';
    };
  };
}
