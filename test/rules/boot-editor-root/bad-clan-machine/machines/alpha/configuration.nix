{ ... }:
{
  boot.loader.systemd-boot.enable = true;
#                          ^^^^^^^^^^^^^ boot-editor-root
}
