{ pkgs, ... }:
{
  boot.initrd.systemd.enable = true;
  # Nothing in stage 1 runs util-linux's or perl's programs: the whole packages are dead weight.
  boot.initrd.systemd.storePaths = with pkgs; [ util-linux perl ];
#                                               ^^^^^^^^^^ large-initrd-contents
#                                                          ^^^^ large-initrd-contents
  boot.initrd.systemd.services.hello = {
    wantedBy = [ "initrd.target" ];
    script = "echo hello";
  };
}
