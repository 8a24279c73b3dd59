# Shell functions defined earlier in the same unit script are not commands, also when the script is
# built from several strings or pastes in a let-bound helper library.
{ pkgs, lib, ... }:
let
  helpers = ''
    wait_for_key() {
      while [ ! -e /keys/nvme.key ]; do sleep 1; done
    }
  '';
in
{
  boot.initrd.systemd.enable = true;
  boot.initrd.systemd.services.unlock = {
    wantedBy = [ "initrd.target" ];
    script = ''
      log() { echo "unlock: $*" > /dev/kmsg; }
      ${helpers}
    '' + ''
      log "waiting"
      wait_for_key
      log "done"
    '';
  };
}
