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
ls /lib/modules/*/modules.order >/dev/null 2>&1 || need+=(linux-image-cloud-amd64)
for pkg in "$@"; do
  case "$pkg" in
    chromium) have chromium || need+=(chromium) ;;
    libkrb5-dev) dpkg -s libkrb5-dev >/dev/null 2>&1 || need+=(libkrb5-dev) ;;
    *) dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg") ;;
  esac
done
if [ ${#need[@]} -eq 0 ]; then exit 0; fi
SUDO=""
if [ "$(id -u)" != 0 ]; then
  if have sudo; then SUDO=sudo; else
    echo "setup-system: missing ${need[*]} and not root; install them with apt-get" >&2
    exit 1
  fi
fi
echo "setup-system: installing ${need[*]}" >&2
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
