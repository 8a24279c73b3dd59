# A clan: clan-core builds each machine from machines/NAME/configuration.nix together with the
# hardware-configuration.nix and disko.nix beside it, without any import between them.
{
  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-25.11";
  inputs.clan-core.url = "git+https://git.clan.lol/clan/clan-core";
  outputs = { self, clan-core, ... }:
    let
      clan = clan-core.lib.clan { inherit self; meta.name = "example"; };
    in
    { inherit (clan.config) nixosConfigurations clanInternals; };
}
