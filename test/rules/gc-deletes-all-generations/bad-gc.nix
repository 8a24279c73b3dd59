{ pkgs, ... }:
{
  nix.gc = {
    automatic = true;
    options = "-d";
#             ^^^^ gc-deletes-all-generations
  };
  systemd.services.cleanup.script = ''
    nix profile wipe-history --profile /nix/var/nix/profiles/system
#   ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ gc-deletes-all-generations
    ${pkgs.nix}/bin/nix-env -p /nix/var/nix/profiles/system --delete-generations old
#   ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ gc-deletes-all-generations
    sudo nix-collect-garbage --delete-older-than 1h
#   ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ gc-deletes-all-generations
  '';
  environment.shellAliases.clean = "sudo nix-collect-garbage -d";
#                                   ^^^^^^^^^^^^^^^^^^^^^^^^^^^ gc-deletes-all-generations
}
