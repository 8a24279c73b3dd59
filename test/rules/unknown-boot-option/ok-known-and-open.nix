{ pkgs, ... }:
{
  boot.initrd.network.ssh.hostKeys = [ "/etc/secrets/initrd/ssh_host_ed25519_key" ];
  boot.initrd.luks.devices.cryptroot.device = "/dev/disk/by-uuid/1234";
  # Open sets and values below an option: any name is fine.
  boot.initrd.systemd.services.unlock.wantedBy = [ "initrd.target" ];
  boot.initrd.systemd.contents."/etc/motd".text = "hi";
  boot.initrd.secrets."/keyfile" = "/etc/secrets/keyfile";
  boot.kernelPackages = pkgs.linuxPackages_latest;
  # Options of modules the data does not cover, and no close known name: silent.
  boot.kernel.sysctl."net.ipv4.ip_forward" = 1;
  boot.loader.grub.device = "nodev";
  boot.initrd.systemd.users.root.shell = "/bin/systemd-tty-ask-password-agent";
  boot.zfs.forceImportRoot = false;
  fileSystems."/".device = "/dev/disk/by-label/nixos";
}
