{ pkgs, ... }:
{
  boot.initrd.systemd.enable = true;
  boot.initrd.systemd.services.nvme-hw-key = {
    wantedBy = [ "initrd.target" ];
    before = [ "systemd-cryptsetup@root.service" ];
    unitConfig.DefaultDependencies = false;
    script = "sed-key unlock /dev/nvme0n1 < /keys/nvme.key";
  };
  # Pulled in by another unit.
  boot.initrd.systemd.services.helper.script = "echo helping";
  boot.initrd.systemd.targets.initrd.wants = [ "helper.service" ];
  # An override of a module's unit: no script of its own.
  boot.initrd.systemd.services.sshd.preStart = "echo starting";
  boot.initrd.systemd.services.unused = {
    enable = false;
    script = "echo never";
  };
}
