# Two hosts defined in one file that the flake imports: zfsbox's ZFS root type must not be judged
# together with extbox's ext4 device path.
{
  outputs = inputs@{ flake-parts, ... }:
    flake-parts.lib.mkFlake { inherit inputs; } { imports = [ ./hosts ]; };
}
