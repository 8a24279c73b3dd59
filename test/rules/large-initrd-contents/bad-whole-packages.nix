{ pkgs, ... }:
{
  boot.initrd.systemd.enable = true;
  boot.initrd.systemd.storePaths = [ pkgs.python3 "${pkgs.nix}" ];
#                                    ^^^^^^^^^^^^ large-initrd-contents
#                                                 ^^^^^^^^^^^^^ large-initrd-contents
  boot.initrd.systemd.initrdBin = with pkgs; [ cryptsetup perl ];
#                                                         ^^^^ large-initrd-contents
  boot.initrd.systemd.extraBin.python = pkgs.python3;
#                                       ^^^^^^^^^^^^ large-initrd-contents
}
