# flake-parts: the flake imports ./hosts, whose default.nix defines every host. That file is not
# one host: alpha's hostId says nothing about beta, which has ZFS and no hostId.
{
  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-25.11";
  outputs = inputs@{ flake-parts, ... }:
    flake-parts.lib.mkFlake { inherit inputs; } {
      systems = [ "x86_64-linux" ];
      imports = [ ./hosts ];
    };
}
