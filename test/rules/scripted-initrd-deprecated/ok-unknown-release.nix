# Without a flake.lock or the nixboot.nixosRelease setting the release is unknown: nothing to say.
{ ... }:
{
  boot.initrd.systemd.enable = false;
}
