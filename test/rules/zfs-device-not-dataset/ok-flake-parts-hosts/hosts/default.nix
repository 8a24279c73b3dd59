{ inputs, ... }:
{
  flake.nixosConfigurations.zfsbox = inputs.nixpkgs.lib.nixosSystem { modules = [ ./zfsbox ]; };
  flake.nixosConfigurations.extbox = inputs.nixpkgs.lib.nixosSystem { modules = [ ./extbox ]; };
}
