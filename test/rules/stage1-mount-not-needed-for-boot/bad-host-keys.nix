# agenix decrypts with the SSH host key, which lives on a mount that stage 1 does not mount.
{ ... }:
{
  services.openssh.hostKeys = [
    { path = "/nix/persist/etc/ssh/ssh_host_ed25519_key"; type = "ed25519"; }
  ];
  age.identityPaths = [ "/keys/age.key" ];
  fileSystems."/nix/persist" = {
#             ^^^^^^^^^^^^^^ stage1-mount-not-needed-for-boot
    device = "/dev/disk/by-label/persist";
    fsType = "ext4";
  };
  fileSystems."/keys" = {
#             ^^^^^^^ stage1-mount-not-needed-for-boot
    device = "/dev/disk/by-label/keys";
    fsType = "ext4";
  };
}
