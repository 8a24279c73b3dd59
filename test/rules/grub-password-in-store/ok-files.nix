{ ... }:
{
  boot.loader.grub.users.root.hashedPasswordFile = "/etc/secrets/grub-root.pbkdf2";
  boot.loader.grub.users.admin.password = null;
}
