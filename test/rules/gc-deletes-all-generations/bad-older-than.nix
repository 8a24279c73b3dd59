{
  nix.gc.options = "--delete-older-than 0d";
#                  ^^^^^^^^^^^^^^^^^^^^^^^^ gc-deletes-all-generations
}
