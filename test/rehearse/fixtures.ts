// Real stage-1 images for the rehearsal tests and benchmark, built on this machine:
// - a busybox stage 1 in the shape of NixOS's scripted /init (nixpkgs stage-1-init.sh: `trap fail 0`,
//   fail() with its menu and `read`, hooks pasted inline at top level, `echo -n "waiting for device
//   … to appear..."`), whose hooks are the strings a configuration.nix the test wrote evaluates to
//   (read with `nix-instantiate --eval`, as stage-1.nix substitutes them);
// - Debian's own initramfs (`mkinitramfs`);
// - a systemd initrd built with Debian's dracut.
// The kernel is the Debian kernel installed in /boot. Nothing here is a made-up console transcript.
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export function debianKernel(): { vmlinuz: string; version: string } {
  const v = fs
    .readdirSync('/boot')
    .filter((f) => f.startsWith('vmlinuz-'))
    .sort()
    .pop();
  if (!v) throw new Error('no /boot/vmlinuz-* (apt-get install linux-image-cloud-amd64)');
  return { vmlinuz: path.join('/boot', v), version: v.slice('vmlinuz-'.length) };
}

/** Module files in load order (dependencies first), from the host's modules for `version`. */
function moduleClosure(version: string, names: readonly string[]): string[] {
  const order: string[] = [];
  const seen = new Set<string>();
  const visit = (n: string) => {
    if (seen.has(n)) return;
    seen.add(n);
    const deps = execFileSync('modinfo', ['-k', version, '-F', 'depends', n], { encoding: 'utf8' }).trim();
    for (const d of deps.split(',').filter(Boolean)) visit(d);
    order.push(execFileSync('modinfo', ['-k', version, '-F', 'filename', n], { encoding: 'utf8' }).trim());
  };
  for (const n of names) visit(n);
  return order;
}

/** `nix-instantiate --eval --strict --json` of a pure expression (a throwaway state directory, removed after). */
function nixEval(expr: string): string {
  const state = fs.mkdtempSync(path.join(os.tmpdir(), 'nixboot-rehearse-nixstate-'));
  try {
    return execFileSync('nix-instantiate', ['--eval', '--strict', '--json', '-E', expr], {
      encoding: 'utf8',
      env: { ...process.env, NIX_STATE_DIR: state },
    });
  } finally {
    fs.rmSync(state, { recursive: true, force: true });
  }
}

/**
 * A stand-in for the `pkgs` a configuration names (`pkgs.NAME` in its text): each package becomes
 * the store path string `/nix/store/<hash>-NAME`, the shape `"${pkgs.NAME}"` interpolates to. Nothing
 * is built: the initrd made from the hooks does not carry these packages — as a NixOS initrd lacks
 * any package a hook names but `boot.initrd.extraUtilsCommands` does not copy (seed 000).
 */
function pkgsStandIn(configText: string): Record<string, string> {
  const ALPHABET = '0123456789abcdfghijklmnpqrsvwxyz'; // Nix's base-32 digits
  const out: Record<string, string> = {};
  for (const m of configText.matchAll(/\bpkgs\.([A-Za-z_][\w'-]*)/g)) {
    const name = m[1]!;
    const digest = createHash('sha256').update(name).digest();
    const hash = Array.from({ length: 32 }, (_, k) => ALPHABET[digest[k]! % 32]).join('');
    out[name] = `/nix/store/${hash}-${name}`;
  }
  return out;
}

/** The hook strings a configuration evaluates to (as NixOS would substitute them into /init), `pkgs.NAME` given by pkgsStandIn. */
export function evalHooks(configFile: string): Record<string, string> {
  const pkgs = pkgsStandIn(fs.readFileSync(configFile, 'utf8'));
  const pkgsExpr = `{ ${Object.entries(pkgs)
    .map(([n, v]) => `${JSON.stringify(n)} = ${JSON.stringify(v)};`)
    .join(' ')} }`;
  const expr = `let c = import ${JSON.stringify(configFile)} { config = {}; pkgs = ${pkgsExpr}; lib = {}; }; i = c.boot.initrd or {}; n = i.network or {}; in {
    preDeviceCommands = i.preDeviceCommands or "";
    preLVMCommands = i.preLVMCommands or "";
    postDeviceCommands = i.postDeviceCommands or "";
    preFailCommands = i.preFailCommands or "";
    networkPostCommands = n.postCommands or "";
  }`;
  return JSON.parse(nixEval(expr)) as Record<string, string>;
}

export interface Stage1Hooks {
  preDeviceCommands?: string;
  preLVMCommands?: string;
  postDeviceCommands?: string;
  preFailCommands?: string;
  networkPostCommands?: string;
}

/** /init in the shape of NixOS's stage-1-init.sh (our own text), with the hooks pasted in at the same places. */
export function stage1Init(h: Stage1Hooks, modules: readonly string[]): string {
  // initrd-network.nix: preLVMCommands = mkBefore (network setup + postCommands), so network first.
  const preLVM = [h.networkPostCommands ?? '', h.preLVMCommands ?? ''].filter((s) => s.trim()).join('\n');
  return `#!/bin/ash

targetRoot=/mnt-root
console=tty1

export PATH=/bin

fail() {
    if [ -n "$panicOnFail" ]; then exit 1; fi

${h.preFailCommands ?? ''}

    cat <<EOF

An error occurred in stage 1 of the boot process, which must mount the
root filesystem on \\\`$targetRoot' and then start stage 2.  Press one
of the following keys:

  r) to reboot immediately
  *) to ignore the error and continue
EOF

    read reply

    if [ "$reply" = r ]; then
        echo "Rebooting..."
        reboot -f
    else
        echo "Continuing..."
    fi
}

trap 'fail' 0

echo
echo "<<< NixOS Stage 1 >>>"
echo

mkdir -p /proc /sys /dev /run /etc /root /tmp
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t tmpfs -o mode=0755 tmpfs /run

for o in $(cat /proc/cmdline); do
    case $o in
        boot.panic_on_fail|stage1panic=1)
            panicOnFail=1
            ;;
        root=*)
            set -- $(IFS==; echo $o)
            root=$2
            ;;
    esac
done

# Copy initrd secrets from /.initrd-secrets to their actual destinations
if [ -d "/.initrd-secrets" ]; then
    for secret in $(cd "/.initrd-secrets"; find . -type f -o -type l); do
        mkdir -p $(dirname "/$secret")
        cp "/.initrd-secrets/$secret" "$secret"
    done
fi

for i in ${modules.join(' ')}; do
    echo "loading module $i..."
    insmod /lib/modules/$i.ko || true
done

${h.preDeviceCommands ?? ''}
echo "running udev..."
mdev -s

${preLVM}

echo "starting device mapper and LVM..."

${h.postDeviceCommands ?? ''}

mkdir -p $targetRoot
device=\${root:-/dev/disk/by-label/nixos}
if ! test -e $device; then
    echo -n "waiting for device $device to appear..."
    try=20
    while [ $try -gt 0 ]; do
        sleep 1
        if test -e $device; then break; fi
        echo -n "."
        try=$((try - 1))
    done
    echo
    echo "Timed out waiting for device $device, trying to mount anyway."
fi
mount $device $targetRoot || fail
fail # no stage 2 here
`;
}

const NET_MODULES = ['virtio_pci', 'virtio_net'];

/** The network modules (with dependencies, in load order) that buildBusyboxInitrd puts in /lib/modules. */
export function netModules(): string[] {
  return moduleClosure(debianKernel().version, NET_MODULES).map((m) => path.basename(m, '.ko'));
}

/** A gzip newc initrd: static busybox with its applets, the modules, /dev/console, and `init`. */
export function buildBusyboxInitrd(out: string, init: string, work: string): void {
  const { version } = debianKernel();
  const root = fs.mkdtempSync(path.join(work, 'stage1-'));
  try {
    for (const d of ['bin', 'dev', 'lib/modules', 'etc', 'root'])
      fs.mkdirSync(path.join(root, d), { recursive: true });
    const bb = execFileSync('sh', ['-c', 'command -v busybox'], { encoding: 'utf8' }).trim();
    fs.copyFileSync(bb, path.join(root, 'bin/busybox'));
    fs.chmodSync(path.join(root, 'bin/busybox'), 0o755);
    const applets = execFileSync(bb, ['--list'], { encoding: 'utf8' })
      .split('\n')
      .filter((a) => /^[\w.[-]+$/.test(a) && a !== 'busybox');
    for (const a of applets) fs.symlinkSync('busybox', path.join(root, 'bin', a));
    for (const m of moduleClosure(version, NET_MODULES))
      fs.copyFileSync(m, path.join(root, 'lib/modules', path.basename(m)));
    fs.writeFileSync(path.join(root, 'init'), init, { mode: 0o755 });
    const mk = spawnSync('mknod', ['-m', '600', path.join(root, 'dev/console'), 'c', '5', '1']);
    if (mk.status !== 0) throw new Error(`mknod /dev/console failed (needs root): ${mk.stderr}`);
    const r = spawnSync('sh', [
      '-c',
      'cd "$1" && find . -mindepth 1 | sort | cpio --quiet -o -H newc -R +0:+0 | gzip -1 > "$2"',
      'sh',
      root,
      out,
    ]);
    if (r.status !== 0) throw new Error(`cpio failed: ${r.stderr}`);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}

/** Debian's own initramfs for the installed kernel (initramfs-tools' mkinitramfs). */
export function buildDebianInitrd(out: string): void {
  const { version } = debianKernel();
  const r = spawnSync('mkinitramfs', ['-o', out, version], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`mkinitramfs failed: ${r.stderr}`);
}

export interface InitrdService {
  description: string;
  script: string;
  requiredBy: string[];
  /** `unitConfig` entries that go to [Unit] as written (for example OnFailure, OnFailureJobMode). */
  unitConfig: Record<string, string | string[]>;
}

/** A systemd stage-1 service as a configuration defines it (`boot.initrd.systemd.services.<name>`), read with nix-instantiate. */
export function evalInitrdService(configFile: string, name: string): InitrdService {
  const expr = `let c = import ${JSON.stringify(configFile)} { config = {}; pkgs = {}; lib = {}; }; s = c.boot.initrd.systemd.services.${JSON.stringify(name)}; in { description = s.description or ""; script = s.script; requiredBy = s.requiredBy or []; unitConfig = s.unitConfig or {}; }`;
  return JSON.parse(nixEval(expr));
}

/** The unit file NixOS-style for a service: the script run by a shell, `unitConfig` in [Unit]. */
function unitText(unitName: string, svc: InitrdService): string {
  const extra = Object.entries(svc.unitConfig ?? {})
    .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join(' ') : v}\n`)
    .join('');
  return `[Unit]\nDescription=${svc.description}\nDefaultDependencies=no\n${extra}${svc.requiredBy.map((t) => `Before=${t}\n`).join('')}\n[Service]\nType=oneshot\nExecStart=/usr/lib/nixboot-fixture/${unitName}-script\n`;
}

/**
 * `base` with one more gzip newc archive appended that adds a unit (its file, its script, its
 * `.requires` links). The kernel unpacks concatenated archives in order, as it does for NixOS's
 * appended initrd secrets; systemd in the image then sees the unit as if dracut had put it there.
 * Saves a second dracut run. `hostFiles` (with the libraries they link) are added too.
 */
export function appendInitrdUnit(
  base: string,
  out: string,
  unitName: string,
  svc: InitrdService,
  work: string,
  hostFiles: readonly string[] = [],
): void {
  const root = fs.mkdtempSync(path.join(work, 'append-'));
  try {
    // Host files with the libraries they link, at their real paths (/lib is a symlink to usr/lib
    // in the image: a path through it would be a directory entry replacing that link).
    const elf = (f: string) => fs.readFileSync(f).subarray(0, 4).equals(Buffer.from('\x7fELF', 'latin1'));
    const libs = hostFiles
      .filter(elf)
      .flatMap((f) =>
        [...execFileSync('ldd', [f], { encoding: 'utf8' }).matchAll(/=> (\/\S+)/g)].map((m) => m[1]!),
      );
    for (const f of new Set([...hostFiles, ...libs])) {
      const real = fs.realpathSync(f);
      fs.mkdirSync(path.join(root, path.dirname(real)), { recursive: true });
      fs.copyFileSync(real, path.join(root, real));
      fs.chmodSync(path.join(root, real), fs.statSync(real).mode & 0o777);
    }
    const sys = path.join(root, 'etc/systemd/system');
    fs.mkdirSync(sys, { recursive: true });
    fs.mkdirSync(path.join(root, 'usr/lib/nixboot-fixture'), { recursive: true });
    fs.writeFileSync(
      path.join(root, 'usr/lib/nixboot-fixture', `${unitName}-script`),
      `#!/bin/sh\nset -e\n${svc.script}\n`,
      { mode: 0o755 },
    );
    fs.writeFileSync(path.join(sys, unitName), unitText(unitName, svc));
    for (const t of svc.requiredBy) {
      fs.mkdirSync(path.join(sys, `${t}.requires`), { recursive: true });
      fs.symlinkSync(`../${unitName}`, path.join(sys, `${t}.requires`, unitName));
    }
    fs.copyFileSync(base, out);
    const r = spawnSync('sh', [
      '-c',
      'cd "$1" && find . -mindepth 1 | sort | cpio --quiet -o -H newc -R +0:+0 | gzip -1 >> "$2"',
      'sh',
      root,
      out,
    ]);
    if (r.status !== 0) throw new Error(`cpio failed: ${r.stderr}`);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}

/**
 * A systemd initrd (Debian's dracut, systemd in stage 1) with one more unit, made from a service
 * definition the way NixOS makes one (the script run by a shell, `requiredBy` as a `.requires`
 * link). A failing script marks the unit failed.
 */
export function buildDracutInitrd(out: string, unitName: string, svc: InitrdService, work: string): void {
  const { version } = debianKernel();
  const dir = fs.mkdtempSync(path.join(work, 'dracut-'));
  try {
    const sys = path.join(dir, 'etc/systemd/system');
    fs.mkdirSync(sys, { recursive: true });
    fs.writeFileSync(path.join(dir, 'unit-script'), `#!/bin/sh\nset -e\n${svc.script}\n`, { mode: 0o755 });
    fs.writeFileSync(path.join(sys, unitName), unitText(unitName, svc));
    for (const t of svc.requiredBy) {
      fs.mkdirSync(path.join(sys, `${t}.requires`), { recursive: true });
      fs.symlinkSync(`../${unitName}`, path.join(sys, `${t}.requires`, unitName));
    }
    const r = spawnSync(
      'dracut',
      [
        '--force',
        '--no-hostonly',
        '--no-early-microcode',
        '--quiet',
        '--gzip',
        '--modules',
        'systemd systemd-initrd base rootfs-block',
        '--omit',
        'plymouth network i18n',
        '--include',
        sys,
        '/etc/systemd/system',
        '--include',
        path.join(dir, 'unit-script'),
        `/usr/lib/nixboot-fixture/${unitName}-script`,
        '--kver',
        version,
        out,
      ],
      { encoding: 'utf8', timeout: 600_000 },
    );
    if (r.status !== 0) throw new Error(`dracut failed: ${r.stderr}`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
