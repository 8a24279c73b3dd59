# No flake.lock, no npins pin and no nixboot.nixosRelease setting: the release is unknown, so a
# rename is only a hint.
{
  boot.tmpOnTmpfs = true;
#      ^^^^^^^^^^ unknown-boot-option (hint)
}
