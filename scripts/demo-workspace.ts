// Builds the demo workspace: the committed sources of test/fixtures/demo plus what must be made
// on the machine with real tools (a small real initrd; a profile of system generations with real
// Nix when it is installed). Usage: node --import tsx scripts/demo-workspace.ts DIR
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, cpSync, existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';

const REPO = new URL('..', import.meta.url).pathname;
const dir = process.argv[2];
if (!dir) {
  console.error('usage: demo-workspace.ts DIR');
  process.exit(2);
}

function sh(cmd: string, args: string[], opts: { cwd?: string; input?: Buffer } = {}): Buffer {
  const r = spawnSync(cmd, args, { cwd: opts.cwd, input: opts.input, maxBuffer: 256 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr?.toString()}`);
  return r.stdout;
}

rmSync(dir, { recursive: true, force: true });
mkdirSync(dir, { recursive: true });
const src = join(REPO, 'test/fixtures/demo');
for (const f of readdirSync(src)) cpSync(join(src, f), join(dir, f), { recursive: true });

// A small real initrd, laid out like a NixOS systemd stage 1: /init, units, the unlock tool link.
const root = join(dir, '.initrd-root');
mkdirSync(join(root, 'etc/systemd/system/initrd.target.wants'), { recursive: true });
mkdirSync(join(root, 'bin'), { recursive: true });
writeFileSync(join(root, 'init'), '#!/bin/sh\nexec /bin/busybox sh\n');
chmodSync(join(root, 'init'), 0o755);
writeFileSync(
  join(root, 'etc/systemd/system/nvme-hw-key.service'),
  '[Unit]\nDescription=Unlock the NVMe drive with sed-key\nBefore=systemd-cryptsetup@root.service\nDefaultDependencies=no\n\n[Service]\nType=oneshot\nExecStart=/nix/store/7d0f1c2b3a4e5f6071829304a5b6c7d8-unit-script-nvme-hw-key-start/bin/nvme-hw-key-start\n',
);
writeFileSync(join(root, 'etc/systemd/system/initrd.target.wants/nvme-hw-key.service'), '');
const busybox = ['/bin/busybox', '/usr/bin/busybox'].find((p) => existsSync(p));
if (busybox) copyFileSync(busybox, join(root, 'bin/busybox'));
const list = sh('sh', ['-c', 'find . -mindepth 1 | LC_ALL=C sort'], { cwd: root });
const cpio = sh('cpio', ['--quiet', '-o', '-H', 'newc', '-R', '+0:+0', '--reproducible'], { cwd: root, input: list });
const initrd = sh('zstd', ['-q', '-c', '-10'], { input: cpio });
writeFileSync(join(dir, 'initrd'), initrd);
rmSync(root, { recursive: true, force: true });

// A profile of three system generations made with real Nix (when nix-build is installed), next to
// the workspace: `${dir}-system/root` is the recovery root for the `nixboot.systemRoot` setting.
const system = `${dir}-system`;
rmSync(system, { recursive: true, force: true });
if (spawnSync('nix-build', ['--version']).status === 0) {
  const { makeNixosProfile } = await import('../test/fixtures/nixosProfile');
  const t0 = Date.now();
  const p = await makeNixosProfile({
    dir: system,
    hostName: 'demo',
    generations: [
      { nixosVersion: '25.05.20250601.a1b2c3d', kernelVersion: '6.12.30', packages: { sed: '4.9', hello: '2.12.1', zfs: '2.3.2' } },
      { nixosVersion: '25.11.20251120.e4f5a6b', kernelVersion: '6.12.58', packages: { sed: '4.9', hello: '2.12.2', zfs: '2.3.4' } },
      {
        nixosVersion: '25.11.20251122.c7d8e9f',
        kernelVersion: '6.12.59',
        packages: { sed: '4.9', hello: '2.12.2', zfs: '2.3.4', 'sedutil-cli': '1.20.0' },
        specialisations: { rescue: ['systemd.unit=rescue.target'] },
      },
    ],
    current: 3,
    booted: 2,
    boot: { loader: 'systemd-boot', keep: 2 },
  });
  console.log(`demo generations: ${p.generations.length} in ${p.root} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
} else {
  console.log('nix-build not found: the demo has no generations (install nix-bin)');
}

// A workspace file for the folder: opening it (rather than the bare folder) makes the window a
// multi-root workspace from the start, so "Open Initrd in Explorer" adds its folder without the
// window reload VS Code needs to turn a single-folder window into a workspace.
writeFileSync(`${dir}.code-workspace`, `${JSON.stringify({ folders: [{ path: basename(dir) }] }, null, 2)}\n`);

console.log(`demo workspace: ${dir} (${dir}.code-workspace)`);
