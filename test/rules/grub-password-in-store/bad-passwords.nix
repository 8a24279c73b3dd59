{ ... }:
{
  boot.loader.grub.users.root.password = "correct horse";
#                             ^^^^^^^^^^^^^^^^^^^^^^^^^^ grub-password-in-store
  boot.loader.grub.users = {
    admin.hashedPassword = "grub.pbkdf2.sha512.10000.674DFFDEF76E13EA";
#         ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ grub-password-in-store
  };
}
