# oracle: nix >= 2.24 (pipe-operators). Pipe operators parse; one hint per file says what they need.
{ lib, ... }:
{
  boot.kernelParams = [ "quiet" ] |> map lib.toUpper;
#                                 ^^ syntax-error
  boot.initrd.kernelModules = lib.unique <| [ "dm-crypt" "dm-crypt" ];
}
