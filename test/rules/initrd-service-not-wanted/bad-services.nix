{ pkgs, ... }:
{
  boot.initrd.systemd.enable = true;
  boot.initrd.systemd.services.rollback = {
#                              ^^^^^^^^ initrd-service-not-wanted
    script = "zfs rollback -r rpool/local/root@blank";
  };
  # Seed 000's unlock helper, without the ordering before systemd-cryptsetup@.
  boot.initrd.systemd.services.nvme-hw-key = {
#                              ^^^^^^^^^^^ initrd-service-not-wanted
    wantedBy = [ "initrd.target" ];
    unitConfig.DefaultDependencies = false;
    script = ''
      sed-key unlock /dev/nvme0n1 < /keys/nvme.key
    '';
  };
  boot.initrd.systemd.services.dotted.serviceConfig.ExecStart = "/bin/true";
#                              ^^^^^^ initrd-service-not-wanted
}
