{ pkgs, ... }:
{
  boot.initrd.systemd.enable = true;
  # Nothing in stage 1 runs python3's or perl's programs: the whole packages are dead weight.
  boot.initrd.systemd.storePaths = with pkgs; [ util-linux python3 perl ];
#                                                          ^^^^^^^ large-initrd-contents
#                                                                  ^^^^ large-initrd-contents
  boot.initrd.systemd.services.hello = {
    wantedBy = [ "initrd.target" ];
    script = "echo hello";
  };
}
