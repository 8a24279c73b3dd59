{ inputs, ... }:
{
  imports = [ inputs.impermanence.nixosModules.impermanence ];
  environment.persistence."/persist".directories = [ "/var/lib/nixos" ];
  fileSystems."/persist" = {
#             ^^^^^^^^^^ stage1-mount-not-needed-for-boot (hint)
    device = "/dev/disk/by-label/persist";
    fsType = "ext4";
  };
}
