# A nix-darwin host managed by Determinate Nix.
{ ... }:
{
  homebrew.enable = true;
  nix.enable = false;
}
