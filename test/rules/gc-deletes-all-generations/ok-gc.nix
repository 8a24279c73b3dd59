{
  nix.gc = {
    automatic = true;
    options = "--delete-older-than 30d";
  };
  systemd.services.cleanup.script = ''
    nix profile wipe-history --profile /nix/var/nix/profiles/system --older-than 14d
    nix-collect-garbage
    echo "never run nix-collect-garbage -d here"
  '';
}
