# The host imports a flake input's module (srvos sets networking.hostId with mkDefault): the linter
# cannot read it, so it must not claim that hostId is absent, and says nothing.
{
  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-25.11";
  inputs.srvos.url = "github:nix-community/srvos";
  outputs = { nixpkgs, srvos, ... }: {
    nixosConfigurations.storage = nixpkgs.lib.nixosSystem {
      modules = [ ./configuration.nix srvos.nixosModules.server ];
    };
  };
}
