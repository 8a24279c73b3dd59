# Without the hardware configuration in the linted set, nixboot cannot know: silent.
{ ... }:
{
  boot.initrd.network.enable = true;
}
