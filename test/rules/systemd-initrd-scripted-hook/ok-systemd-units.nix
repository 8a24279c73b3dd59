{ ... }:
{
  boot.initrd.systemd.enable = true;
  boot.initrd.postDeviceCommands = "";
  boot.initrd.systemd.services.rollback = {
    wantedBy = [ "initrd.target" ];
    script = "zfs rollback -r rpool/local/root@blank";
  };
}
