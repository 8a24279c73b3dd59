# Commands that do not touch the system profile: nix-env without -p works on the caller's own
# profile, and nix-collect-garbage -d run as a user deletes only that user's old generations.
{ ... }:
{
  environment.shellAliases.clean = "nix-env --delete-generations old";
  programs.zsh.shellAliases.gc = "sudo nix-collect-garbage --delete-older-than 3d && nix-collect-garbage -d";
}
