# The host imports a module of a flake input the linter cannot read: it may provide `sed-key`, so
# the finding is a hint (test/nixos/stage1Contents.test.ts checks the severity).
{ inputs, pkgs, ... }:
{
  imports = [ inputs.unlock-tools.nixosModules.default ./hardware-configuration.nix ];
  boot.initrd.systemd.enable = true;
  boot.initrd.systemd.services.unlock = {
    wantedBy = [ "initrd.target" ];
    script = ''
      sed-key unlock /dev/nvme0n1 -
#     ^^^^^^^ initrd-missing-command
    '';
  };
}
