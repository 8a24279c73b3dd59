{
  boot.loader.systemd-boot.configurationLimit = 10;
  boot.loader.systemd-boot.editor = false;
  boot.loader.grub.configurationLimit = 3;
  # null: unlimited (the /boot budget is another question)
  boot.loader.generic-extlinux-compatible.configurationLimit = null;
}
