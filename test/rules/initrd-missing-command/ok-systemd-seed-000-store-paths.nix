# Seed 000's machine provisions its unlock tool through storePaths with `with pkgs;`: whole
# packages are copied, so every file under them is in the image, and the unit's `path` finds them.
{ pkgs, ... }:
{
  boot.initrd.systemd = {
    enable = true;
    storePaths = with pkgs; [ cryptsetup util-linux coreutils sed-key ];
    services.nvme-hw-key = {
      wantedBy = [ "initrd.target" ];
      unitConfig.DefaultDependencies = false;
      path = [ pkgs.sed-key ];
      script = ''
        ${pkgs.sed-key}/bin/sed-key unlock /dev/nvme0n1 - < /keys/nvme.key
        sed-key status /dev/nvme0n1
        ${pkgs.util-linux}/bin/umount /keys
        ${pkgs.util-linux}/bin/lsblk -o NAME
        ${pkgs.cryptsetup}/bin/cryptsetup status root
      '';
    };
  };
}
