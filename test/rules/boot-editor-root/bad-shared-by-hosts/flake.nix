# Two machines share one module that turns systemd-boot on; only "legacy" forces it off for GRUB.
# The shared module is judged for both hosts: "laptop" keeps systemd-boot with its editor on.
{
  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";
  outputs = { nixpkgs, ... }: {
    nixosConfigurations.laptop = nixpkgs.lib.nixosSystem {
      modules = [ ./common.nix ];
    };
    nixosConfigurations.legacy = nixpkgs.lib.nixosSystem {
      modules = [ ./common.nix ./grub.nix ];
    };
  };
}
