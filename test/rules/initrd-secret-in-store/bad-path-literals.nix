{ ... }:
{
  boot.initrd.network.ssh.hostKeys = [ ./ssh_host_ed25519_key /etc/secrets/initrd/ssh_host_rsa_key ];
#                                      ^^^^^^^^^^^^^^^^^^^^^^ initrd-secret-in-store
#                                                             ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ initrd-secret-in-store
  boot.initrd.secrets = {
    "/keyfile.bin" = /etc/secrets/keyfile.bin;
#                    ^^^^^^^^^^^^^^^^^^^^^^^^ initrd-secret-in-store
  };
  boot.initrd.systemd.contents."/etc/unlock.key".source = ./unlock.key;
#                                                         ^^^^^^^^^^^^ initrd-secret-in-store
}
