# This file once held a module; everything in it is commented out now.
# { config, ... }: { boot.loader.systemd-boot.enable = true; }
# test: expect 1:0 syntax-error
