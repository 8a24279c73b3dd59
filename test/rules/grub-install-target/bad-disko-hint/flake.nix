# disko sets boot.loader.grub.devices from the EF02 partition of its layout; the linter cannot read
# the disko module, so "no install target" is not certain: a hint, not an evaluation error.
{
  outputs = { nixpkgs, disko, ... }: {
    nixosConfigurations.vps = nixpkgs.lib.nixosSystem {
      modules = [ disko.nixosModules.disko ./configuration.nix ];
    };
  };
}
