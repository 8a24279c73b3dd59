#!/usr/bin/env bash
# Installs the system tools nixboot's tests and demo use, from Debian's packages.
# Needs root (or passwordless sudo); does nothing for tools that are already there.
set -euo pipefail
need=()
have() { command -v "$1" >/dev/null 2>&1; }
have nix-instantiate || need+=(nix-bin)
have cpio || need+=(cpio)
have zstd || need+=(zstd)
have xz || need+=(xz-utils)
have lz4 || need+=(lz4)
have bzip2 || need+=(bzip2)
have gzip || need+=(gzip)
have git || need+=(git)
have busybox || need+=(busybox-static)
have gcc || need+=(gcc)
have lzma || need+=(xz-utils)
have mkinitramfs || need+=(initramfs-tools)
have qemu-system-x86_64 || need+=(qemu-system-x86)  # nixboot rehearse (boots a generation's stage 1)
have dracut || need+=(dracut-core)  # rehearse tests: a systemd stage 1 (dracut-core, not dracut: that conflicts with initramfs-tools)
[ -x /lib/systemd/systemd ] || need+=(systemd)  # rehearse tests: dracut's systemd initrd copies the host's systemd
have ssh-keygen || need+=(openssh-client)  # rehearse: throwaway initrd SSH host keys
[ -x /usr/bin/time ] || need+=(time)  # peak-RSS checks (bigBlob test, bench/initrd.ts)
ls /lib/modules/*/modules.order >/dev/null 2>&1 || need+=(linux-image-cloud-amd64)
for pkg in "$@"; do
  case "$pkg" in
    chromium) have chromium || need+=(chromium) ;;
    libkrb5-dev) dpkg -s libkrb5-dev >/dev/null 2>&1 || need+=(libkrb5-dev) ;;
    *) dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg") ;;
  esac
done
SUDO=""
if [ "$(id -u)" != 0 ] && { [ ${#need[@]} -gt 0 ] || ! getent group nixbld >/dev/null; }; then
  if have sudo; then SUDO=sudo; else
    echo "setup-system: missing ${need[*]:-the nixbld group} and not root; install them with apt-get" >&2
    exit 1
  fi
fi
if [ ${#need[@]} -gt 0 ]; then
  echo "setup-system: installing ${need[*]}" >&2
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

# Nix as root builds as the members of `build-users-group` (default `nixbld`) and refuses to build
# at all when that group does not exist. Debian's nix-bin without its recommended
# nix-setup-systemd creates neither the group nor /etc/nix/nix.conf. Create the group and its build
# users the way Nix's own multi-user installer does (system group `nixbld`, users nixbld1…N that are
# members of it, no home, no login shell). An existing group or nix.conf is never touched; nixboot's
# tests, benchmarks and demo set `build-users-group =` themselves and work either way.
if ! getent group nixbld >/dev/null; then
  echo "setup-system: creating the nixbld group and 8 Nix build users (as Nix's installer does)" >&2
  $SUDO groupadd --system nixbld
  for i in 1 2 3 4 5 6 7 8; do
    getent passwd "nixbld$i" >/dev/null ||
      $SUDO useradd --system --no-create-home --home-dir /var/empty --gid nixbld --groups nixbld \
        --shell /usr/sbin/nologin --comment "Nix build user $i" "nixbld$i"
  done
fi
