# A desktop configuration.nix with options from many nixpkgs modules, and options of modules that
# are not in nixpkgs (lanzaboote, impermanence-style hooks): none is flagged.
{ config, lib, pkgs, ... }:
{
  boot.loader.systemd-boot.enable = lib.mkForce false; # lanzaboote replaces it
  boot.lanzaboote = {
    enable = true;
    pkiBundle = "/var/lib/sbctl";
    settings.editor = false;
  };
  boot.loader.efi.canTouchEfiVariables = true;
  boot.loader.timeout = 3;
  boot.kernelPackages = pkgs.linuxPackages_latest;
  boot.kernelParams = [ "quiet" "splash" "mem_sleep_default=deep" ];
  boot.kernel.sysctl = {
    "vm.swappiness" = 10;
    "net.core.rmem_max" = 7500000;
  };
  boot.consoleLogLevel = 3;
  boot.plymouth.enable = true;
  boot.tmp.useTmpfs = true;
  boot.tmp.tmpfsSize = "25%";
  boot.binfmt.emulatedSystems = [ "aarch64-linux" ];
  boot.supportedFilesystems = [ "ntfs" "zfs" ];
  boot.zfs.forceImportRoot = false;
  boot.zfs.extraPools = [ "tank" ];
  boot.initrd.systemd.enable = true;
  boot.initrd.systemd.tpm2.enable = true;
  boot.initrd.systemd.services.rollback = {
    wantedBy = [ "initrd.target" ];
    before = [ "sysroot.mount" ];
    script = "zfs rollback -r rpool/local/root@blank";
  };
  boot.initrd.luks.devices.cryptroot = {
    device = "/dev/disk/by-uuid/5e2b1f3c-1111-2222-3333-444455556666";
    allowDiscards = true;
    bypassWorkqueues = true;
    crypttabExtraOpts = [ "tpm2-device=auto" ];
  };
  boot.initrd.clevis.enable = true;
  boot.initrd.clevis.devices.cryptroot.secretFile = ./cryptroot.jwe;
  boot.initrd.unl0kr.enable = true;
  boot.initrd.network.enable = true;
  boot.initrd.network.ssh = {
    enable = true;
    port = 2222;
    authorizedKeys = [ "ssh-ed25519 AAAAC3Nza example" ];
    hostKeys = [ "/etc/secrets/initrd/ssh_host_ed25519_key" ];
  };
  boot.loader.grub.memtest86.enable = true;
  boot.loader.limine.style.wallpapers = [ ];
  boot.swraid.enable = false;
  fileSystems."/persist".neededForBoot = true;
  fileSystems."/home".encrypted.enable = false;
  nix.gc = {
    automatic = true;
    dates = "weekly";
    options = "--delete-older-than 30d";
  };
}
