{ inputs, ... }:
{
  flake.nixosConfigurations = {
    alpha = inputs.nixpkgs.lib.nixosSystem { modules = [ ./alpha ]; };
    beta = inputs.nixpkgs.lib.nixosSystem { modules = [ ./beta ]; };
  };
}
