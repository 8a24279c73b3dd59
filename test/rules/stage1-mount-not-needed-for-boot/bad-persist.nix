# Impermanence: /persist holds the host keys, but is mounted after activation reads them.
{ ... }:
{
  fileSystems."/persist" = {
#             ^^^^^^^^^^ stage1-mount-not-needed-for-boot
    device = "/dev/disk/by-label/persist";
    fsType = "ext4";
  };
  services.openssh.hostKeys = [
    { path = "/persist/etc/ssh/ssh_host_ed25519_key"; type = "ed25519"; }
  ];
  environment.persistence."/state".directories = [ "/var/lib/bluetooth" ];
  fileSystems."/state".device = "/dev/disk/by-label/state";
#             ^^^^^^^^ stage1-mount-not-needed-for-boot
}
