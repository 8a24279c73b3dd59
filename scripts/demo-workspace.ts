// Builds the demo workspace: the committed sources of test/fixtures/demo plus what must be made
// on the machine with real tools (a small real initrd; a profile of system generations with real
// Nix when it is installed). Usage: node --import tsx scripts/demo-workspace.ts DIR
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import type { GenerationSpec } from '../test/fixtures/nixosProfile';
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
const cpio = sh('cpio', ['--quiet', '-o', '-H', 'newc', '-R', '+0:+0', '--reproducible'], {
  cwd: root,
  input: list,
});
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
  const bootable = await bootableGenerations(join(system, 'stage1'));
  const p = await makeNixosProfile({
    dir: system,
    hostName: 'demo',
    generations: [
      {
        nixosVersion: '25.05.20250601.a1b2c3d',
        kernelVersion: '6.12.30',
        packages: { sed: '4.9', hello: '2.12.1', zfs: '2.3.2' },
      },
      {
        nixosVersion: '25.11.20251120.e4f5a6b',
        kernelVersion: '6.12.58',
        packages: { sed: '4.9', hello: '2.12.2', zfs: '2.3.4' },
      },
      {
        nixosVersion: '25.11.20251122.c7d8e9f',
        kernelVersion: '6.12.59',
        packages: { sed: '4.9', hello: '2.12.2', zfs: '2.3.4', 'sedutil-cli': '1.20.0' },
        specialisations: { rescue: ['systemd.unit=rescue.target'] },
      },
      ...bootable,
    ],
    current: 3,
    booted: 2,
    boot: { loader: 'systemd-boot', keep: 2 + bootable.length },
  });
  console.log(
    `demo generations: ${p.generations.length} in ${p.root} (${((Date.now() - t0) / 1000).toFixed(1)} s)`,
  );
} else {
  console.log('nix-build not found: the demo has no generations (install nix-bin)');
}

/**
 * Two generations that really boot (for "Rehearse Boot of Generation…"): the Debian kernel in /boot
 * and a busybox stage 1 in the shape of NixOS's scripted /init (test/rehearse/fixtures.ts) whose
 * hooks are what the demo's configuration.nix evaluates to — one as it is (seed 001's `exit`), one
 * with the initrd-script-exit quick fix applied. Skipped, with the reason, when a tool is missing.
 */
async function bootableGenerations(work: string): Promise<GenerationSpec[]> {
  const missing = ['busybox', 'cpio', 'gzip', 'modinfo', 'nix-instantiate'].filter(
    (t) => spawnSync('sh', ['-c', `command -v ${t}`]).status !== 0,
  );
  const vmlinuz = readdirSync('/boot').find((f) => f.startsWith('vmlinuz-'));
  if (missing.length || !vmlinuz) {
    console.log(
      `demo: no bootable generations (missing: ${[...missing, ...(vmlinuz ? [] : ['/boot/vmlinuz-*'])].join(', ')}; run scripts/setup-system.sh)`,
    );
    return [];
  }
  const { buildBusyboxInitrd, debianKernel, evalHooks, netModules, stage1Init } =
    await import('../test/rehearse/fixtures');
  const { lintTexts } = await import('../server/src/analysis');
  const { applyEdits } = await import('../server/src/text');
  const kernel = debianKernel();
  const mods = netModules();
  const config = join(dir, 'configuration.nix');
  const text = readFileSync(config, 'utf8');
  const exit = lintTexts([{ path: config, text }]).find((f) => f.rule === 'initrd-script-exit');
  const fix = exit?.fixes.find((f) => f.preferred) ?? exit?.fixes[0];
  if (!fix)
    throw new Error('the demo configuration.nix no longer has the initrd-script-exit finding with a fix');
  mkdirSync(join(work, 'fixed'), { recursive: true });
  const fixed = join(work, 'fixed', 'configuration.nix');
  writeFileSync(fixed, applyEdits(text, fix.edits));
  const out: GenerationSpec[] = [];
  for (const [name, file, nixosVersion] of [
    ['seed001', config, '25.11.20251124.0a1b2c3'],
    ['fixed', fixed, '25.11.20251125.4d5e6f7'],
  ] as const) {
    const initrd = join(work, `${name}.initrd`);
    buildBusyboxInitrd(initrd, stage1Init(evalHooks(file), mods), work);
    out.push({
      nixosVersion,
      kernelVersion: kernel.version,
      kernelImage: kernel.vmlinuz,
      initrdImage: initrd,
      packages: { sed: '4.9', hello: '2.12.2', zfs: '2.3.4' },
    });
  }
  return out;
}

// A workspace file for the folder: opening it (rather than the bare folder) makes the window a
// multi-root workspace from the start, so "Open Initrd in Explorer" adds its folder without the
// window reload VS Code needs to turn a single-folder window into a workspace.
writeFileSync(
  `${dir}.code-workspace`,
  `${JSON.stringify({ folders: [{ path: basename(dir) }] }, null, 2)}\n`,
);

console.log(`demo workspace: ${dir} (${dir}.code-workspace)`);
