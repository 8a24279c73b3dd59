# A Nix file with mistakes is still Nix: it keeps its syntax errors (rule syntax-error).
{ config, pkgs, ... }:
{
  boot.loader.systemd-boot.enable = true
  networking.hostName = "laptop";
  environment.systemPackages = with pkgs; [ vim git ];
}
