{ ... }:
{
  boot.loader.grub.enable = true;
#                  ^^^^^^^^^^^^^ grub-install-target (hint)
}
