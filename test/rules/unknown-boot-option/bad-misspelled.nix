{ ... }:
{
  boot.intird.network.enable = true;
#      ^^^^^^ unknown-boot-option
  boot.initrd.network.ssh.hostkeys = [ "/etc/secrets/initrd/ssh_host_ed25519_key" ];
#                         ^^^^^^^^ unknown-boot-option
  boot.initrd = {
    netwrok.ssh.enable = true;
#   ^^^^^^^ unknown-boot-option
  };
  boot.loader.systemd-boot.configurationLimt = 10;
#                          ^^^^^^^^^^^^^^^^^ unknown-boot-option
  boot.initrd.luks.devices.cryptroot.devcie = "/dev/disk/by-uuid/1234";
#                                    ^^^^^^ unknown-boot-option
}
