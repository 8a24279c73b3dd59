{ pkgs, ... }:
let
  sedKeyBin = "${pkgs.sed-key}/bin/sed-key";
in
{
  boot.initrd.systemd = {
    enable = true;
    storePaths = [ sedKeyBin ];
    initrdBin = [ pkgs.cryptsetup pkgs.util-linux ];
    extraBin.jq = "${pkgs.jq}/bin/jq";
    services.unlock = {
      wantedBy = [ "initrd.target" ];
      script = ''
        ${sedKeyBin} unlock /dev/nvme0n1 - < /keys/k
        ${pkgs.sed-key}/bin/sed-key status /dev/nvme0n1
        cryptsetup status root
        lsblk -J | jq .
        unlock_all() { echo "$1"; }
        unlock_all x
        echo done; test -e /dev/x && cat /proc/cmdline
        "$CUSTOM_TOOL" run
        ''${HOME}/bin/tool
      '';
    };
  };
}
