# Units named like unlock helpers that race nothing: one started only when unlocking fails
# (OnFailure=), one that writes the SSH login shell's profile.
{ ... }:
{
  boot.initrd.systemd.enable = true;
  boot.initrd.systemd.services.poweroff-on-unlock-fail = {
    script = "systemctl poweroff";
  };
  boot.initrd.systemd.targets.zfs-import.unitConfig.OnFailure = "poweroff-on-unlock-fail.service";
  boot.initrd.systemd.services.unlock-profile = {
    wantedBy = [ "initrd.target" ];
    after = [ "systemd-networkd.service" ];
    script = ''
      echo "systemctl default; zfs load-key -a" >> /var/empty/.profile
    '';
  };
}
