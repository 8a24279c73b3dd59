{ config, pkgs, ... }:
{
<<<<<<< HEAD
  networking.hostName = "laptop";
=======
  networking.hostName = "desktop";
>>>>>>> other-branch
  services.openssh.enable = true;
}
