#!/usr/bin/env bash
# Runs the README's two commands on a fresh Debian 12 machine: a clean root made with debootstrap
# (minbase plus what a new machine of this project's kind comes with: Node 20 and npm, git,
# python3, g++, make, CA certificates), entered with chroot. In it, a clone of this repository runs
#   bash scripts/test-all.sh   to completion (every test), and, in a second fresh root,
#   npm run demo               until it prints its URL; the URL must answer HTTP 200 with VS Code's
#                              workbench page, then the demo is stopped.
# Everything the project installs (Debian packages, npm packages, Node 24, code-server, Chromium,
# Nix's build users) is installed inside each root from zero; only the debootstrapped base is cached
# (it holds nothing of the project). A missing install step in the project's files fails here.
#
# Usage: bash scripts/fresh-machine.sh [tests|demo|all]   (default: all)
# Needs root (debootstrap, chroot, mount). Environment:
#   NIXBOOT_FRESH_CACHE  where the base root tarball is kept (default /var/cache/nixboot-fresh)
#   NIXBOOT_FRESH_WORK   where the fresh roots are made (default /var/tmp/nixboot-fresh)
#   NIXBOOT_FRESH_KEEP=1 keep the roots afterwards (for a look inside)
set -euo pipefail
what="${1:-all}"
case "$what" in tests|demo|all) ;; *) echo "usage: $0 [tests|demo|all]" >&2; exit 2 ;; esac
[ "$(id -u)" = 0 ] || { echo "fresh-machine: needs root (debootstrap, chroot, mount)" >&2; exit 2; }
repo="$(cd "$(dirname "$0")/.." && pwd)"
cache="${NIXBOOT_FRESH_CACHE:-/var/cache/nixboot-fresh}"
work="${NIXBOOT_FRESH_WORK:-/var/tmp/nixboot-fresh}"
mirror="${NIXBOOT_FRESH_MIRROR:-http://deb.debian.org/debian}"
# What a new machine of this kind has besides Debian's minbase (see the kind's description):
# Node 20 + npm (copied from this machine, as the kind ships them), git, python3, g++, make.
include="ca-certificates,git,python3,g++,make"
base="$cache/bookworm-minbase-$(printf '%s' "$include" | sha256sum | cut -c1-12).tar"
start=$(date +%s)
log() { echo "fresh-machine: $*" >&2; }

# ---- the base root (cached; nothing of the project in it) ----------------------------------------
command -v debootstrap >/dev/null || {
  log "installing debootstrap (Debian package) on this machine"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends debootstrap >/dev/null
}
if [ ! -s "$base" ]; then
  log "building the base root with debootstrap (minbase + $include); cached in $base"
  mkdir -p "$cache"
  tmp="$(mktemp -d "$cache/build.XXXXXX")"
  debootstrap --variant=minbase --include="$include" bookworm "$tmp/root" "$mirror" >"$tmp/debootstrap.log" 2>&1 ||
    { tail -20 "$tmp/debootstrap.log" >&2; rm -rf "$tmp"; exit 1; }
  # The machine kind's own settings: apt sources and options, CA certificates (the network's egress
  # CA), npm's configuration, Node 20 and npm themselves.
  cp -a /etc/apt/sources.list.d/debian.sources "$tmp/root/etc/apt/sources.list.d/" 2>/dev/null && rm -f "$tmp/root/etc/apt/sources.list" || true
  cp -a /etc/apt/apt.conf.d/99* "$tmp/root/etc/apt/apt.conf.d/" 2>/dev/null || true
  cp -a /usr/local/share/ca-certificates/. "$tmp/root/usr/local/share/ca-certificates/" 2>/dev/null || true
  chroot "$tmp/root" update-ca-certificates >/dev/null 2>&1
  tar -C / -cf - usr/bin/node usr/bin/npm usr/bin/npx usr/lib/node_modules/npm usr/include/node | tar -C "$tmp/root" -xf -
  for f in /etc/npmrc /usr/etc/npmrc /root/.npmrc; do
    [ -f "$f" ] && { mkdir -p "$tmp/root$(dirname "$f")"; cp -a "$f" "$tmp/root$f"; }
  done
  chroot "$tmp/root" apt-get clean
  rm -rf "$tmp/root/var/lib/apt/lists/"*
  tar -C "$tmp/root" -cf "$base.part" . && mv "$base.part" "$base"
  rm -rf "$tmp"
fi

# ---- one fresh root per command -------------------------------------------------------------------
roots=()
cleanup_root() {
  local root="$1" pid
  [ -d "$root" ] || return 0
  # Stop every process whose root directory is this root (the demo, code-server, a test's leftovers).
  for _ in 1 2 3; do
    local left=0
    for p in /proc/[0-9]*; do
      pid="${p#/proc/}"
      [ "$(readlink "$p/root" 2>/dev/null)" = "$root" ] || continue
      kill -KILL "$pid" 2>/dev/null && left=1
    done
    [ "$left" = 0 ] && break
    sleep 1
  done
  # Unmount everything under the root, deepest first; never delete while anything is mounted there
  # (a bind-mounted /dev would otherwise be emptied).
  { findmnt -rn -o TARGET | grep -E "^$root(/|$)" || true; } | sort -r | while read -r m; do umount -l "$m" 2>/dev/null || true; done
  if findmnt -rn -o TARGET | grep -qE "^$root(/|$)"; then
    log "still mounted under $root; leaving it in place"
    return
  fi
  [ "${NIXBOOT_FRESH_KEEP:-}" = 1 ] || rm -rf --one-file-system "$root"
}
cleanup() { for r in "${roots[@]}"; do cleanup_root "$r"; done; }
# The exit status is the run's own: a cleanup step that fails (a root already removed, nothing left
# to unmount) must neither turn a pass into a failure nor hide one. CI failed once with every test
# passed because the trap's pipeline (grep finding no mount, under pipefail) exited 1.
trap 'rc=$?; cleanup || true; exit $rc' EXIT
trap 'exit 130' INT TERM

# Makes a fresh root from the base and sets $root to it.
make_root() {
  mkdir -p "$work"
  root="$(mktemp -d "$work/root.XXXXXX")"
  roots+=("$root")
  tar -C "$root" -xf "$base"
  cp -L /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
  mount -t proc proc "$root/proc"
  mount --rbind /sys "$root/sys" && mount --make-rslave "$root/sys"
  mount --rbind /dev "$root/dev" && mount --make-rslave "$root/dev"
  mount -t tmpfs -o mode=1777 tmpfs "$root/dev/shm"
  mount -t tmpfs -o mode=1777,size=50% tmpfs "$root/tmp"
  mkdir -p "$root/work"
  # The repository as CI sees it: a clone of the committed tree.
  git clone -q "$repo" "$root/work/nixboot"
}

# A login environment as a new machine's root shell has it, not this one's.
in_root() {
  local root="$1"; shift
  chroot "$root" /usr/bin/env -i HOME=/root USER=root LOGNAME=root SHELL=/bin/bash LANG=C.UTF-8 TERM=dumb \
    PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt CI="${CI:-true}" \
    NIXBOOT_E2E_SHOTS="${NIXBOOT_E2E_SHOTS:-}" \
    bash -c "cd /work/nixboot && $*"
}

status=0
if [ "$what" = tests ] || [ "$what" = all ]; then
  make_root
  log "fresh root $root: bash scripts/test-all.sh"
  t0=$(date +%s)
  if in_root "$root" "bash scripts/test-all.sh" </dev/null; then
    log "tests passed in the fresh root ($(( $(date +%s) - t0 )) s)"
  else
    status=1
    log "tests FAILED in the fresh root ($(( $(date +%s) - t0 )) s)"
  fi
  # Editor-test screenshots come back to the clone this ran from.
  [ -d "$root/work/nixboot/.e2e/screenshots" ] && mkdir -p "$repo/.e2e" && cp -a "$root/work/nixboot/.e2e/screenshots" "$repo/.e2e/" 2>/dev/null || true
  cleanup_root "$root"
fi

if [ "$what" = demo ] || [ "$what" = all ]; then
  make_root
  log "fresh root $root: npm run demo"
  t0=$(date +%s)
  out="$root/tmp/demo.out"
  in_root "$root" "npm run demo" </dev/null >"$out" 2>&1 &
  demo=$!
  url=""
  # Set-up from zero takes a few minutes; give it 25.
  for _ in $(seq 1 1500); do
    url="$(sed -n 's|^Open \(http://127\.0\.0\.1:[0-9]*/[^ ]*\)$|\1|p' "$out" 2>/dev/null | head -1)"
    [ -n "$url" ] && break
    kill -0 "$demo" 2>/dev/null || break
    sleep 1
  done
  if [ -z "$url" ]; then
    status=1
    log "demo FAILED: no URL printed ($(( $(date +%s) - t0 )) s); its output ends with:"
    tail -30 "$out" >&2
  else
    code="$(curl -s -o "$root/tmp/page.html" -w '%{http_code}' --max-time 30 "$url" || true)"
    if [ "$code" = 200 ] && grep -q 'vs/code/browser/workbench/workbench' "$root/tmp/page.html"; then
      log "demo served VS Code's workbench at $url (HTTP 200, $(( $(date +%s) - t0 )) s from zero)"
    else
      status=1
      log "demo FAILED: $url answered HTTP $code without VS Code's workbench page"
    fi
  fi
  kill "$demo" 2>/dev/null || true
  cleanup_root "$root"
fi

log "done in $(( $(date +%s) - start )) s, status $status"
exit $status
