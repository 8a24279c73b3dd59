# extlinux cannot append secrets: strings fail evaluation, path literals land in the store.
{ ... }:
{
  boot.loader.generic-extlinux-compatible.enable = true;
  boot.initrd.secrets = {
    "/etc/key" = "/etc/secrets/key";
#                ^^^^^^^^^^^^^^^^^^ initrd-secret-in-store
    "/etc/other" = /etc/secrets/other;
#                  ^^^^^^^^^^^^^^^^^^ initrd-secret-in-store
  };
  boot.initrd.network.ssh.hostKeys = [ "/etc/secrets/initrd/ssh_host_ed25519_key" ];
#                                      ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ initrd-secret-in-store
}
