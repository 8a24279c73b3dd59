# panic_on_fail with a panic timeout: the machine reboots by itself after a failed stage 1 (the
# design of nixpkgs' profiles/headless.nix), not a leftover debugging switch.
{ ... }:
{
  boot.kernelParams = [ "panic=1" "boot.panic_on_fail" ];
}
