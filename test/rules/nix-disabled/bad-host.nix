{ ... }:
{
  networking.hostName = "server";
  nix.enable = false;
#     ^^^^^^^^^^^^^^ nix-disabled
  nix.gc.automatic = true;
}
