import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { readGenerations, realpathUnder } from '../../server/src/system/generations';
import { readBootLoader } from '../../server/src/system/boot';
import { bootBudget, generationWarnings, type BootBudget } from '../../server/src/system/bootBudget';
import { queryClosure } from '../../server/src/system/closure';
import { runCli } from '../../server/src/cli/main';
import { capture } from '../cliCapture';

// A recovery root laid out like a NixOS disk mounted at /mnt: its own nix/store (not this
// machine's), absolute links that must resolve under the root, an extlinux /boot.
let root: string;
const H = (c: string) => c.repeat(32);
const top = (n: number) => `/nix/store/${H(String.fromCharCode(96 + n))}-nixos-system-box-23.11.${n}`;

before(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'nixboot-gen-mnt-'));
  const w = (p: string, text: string) => {
    fs.mkdirSync(path.dirname(path.join(root, p)), { recursive: true });
    fs.writeFileSync(path.join(root, p), text);
  };
  const l = (p: string, target: string) => {
    fs.mkdirSync(path.dirname(path.join(root, p)), { recursive: true });
    fs.symlinkSync(target, path.join(root, p));
  };
  const kernel = `/nix/store/${H('k')}-linux-6.1.5`;
  w(`${kernel}/bzImage`, 'K'.repeat(5000));
  fs.mkdirSync(path.join(root, kernel, 'lib/modules/6.1.5'), { recursive: true });
  for (const n of [1, 2]) {
    const initrd = `/nix/store/${H(String(n))}-initrd-linux-6.1.5`;
    w(`${initrd}/initrd`, 'I'.repeat(1000 * n));
    w(`${top(n)}/nixos-version`, `23.11.${n}`);
    l(`${top(n)}/kernel`, `${kernel}/bzImage`);
    l(`${top(n)}/initrd`, `${initrd}/initrd`);
    l(`${top(n)}/kernel-modules`, kernel);
    w(`${top(n)}/kernel-params`, 'console=ttyS0 ');
    w(`${top(n)}/init`, '#!/bin/sh\n');
    l(`nix/var/nix/profiles/system-${n}-link`, top(n));
  }
  fs.mkdirSync(path.join(root, top(2), 'specialisation'));
  l(`${top(2)}/specialisation/safe`, top(1));
  l('nix/var/nix/profiles/system', 'system-2-link');
  l('run/booted-system', top(1));
  w(
    'boot/extlinux/extlinux.conf',
    [
      `DEFAULT nixos-default`,
      `LABEL nixos-default`,
      `  MENU LABEL NixOS - Default`,
      `  LINUX ../nixos/${H('k')}-linux-6.1.5-bzImage`,
      `  APPEND init=${top(2)}/init console=ttyS0`,
      '',
    ].join('\n'),
  );
});
after(() => fs.rmSync(root, { recursive: true, force: true }));

test('absolute links resolve under the recovery root, never on this machine', () => {
  assert.equal(realpathUnder(root, '/nix/var/nix/profiles/system'), path.join(root, top(2)));
  assert.throws(() => realpathUnder(root, '/nix/var/nix/profiles/system-9-link'), /ENOENT/);
  const r = readGenerations({ root });
  assert.deepEqual(
    r.generations.map((g) => [
      g.generation,
      g.storePath,
      g.nixosVersion,
      g.kernelVersion,
      g.kernel?.size,
      g.initrd?.size,
      g.source,
      g.default,
      g.booted,
      g.current,
      g.bootEntry,
    ]),
    [
      [1, top(1), '23.11.1', '6.1.5', 5000, 1000, 'toplevel', false, true, false, false],
      [2, top(2), '23.11.2', '6.1.5', 5000, 2000, 'toplevel', true, false, false, true],
    ],
  );
  assert.deepEqual(r.generations[1]!.kernelParams, [`init=${top(2)}/init`, 'console=ttyS0']);
  assert.deepEqual(r.generations[1]!.specialisations, ['safe']);
  assert.equal(r.boot.loader, 'extlinux');
  assert.deepEqual(r.boot.entries[0]!.files, [`nixos/${H('k')}-linux-6.1.5-bzImage`]);
  const b = bootBudget(r);
  assert.equal(b.copies, true);
  assert.equal(b.usedByGenerations, 5000 + 2000);
  assert.equal(b.nextGenerationBytes, 7000);
  assert.deepEqual(
    generationWarnings(r, b).map((w) => w.kind),
    ['fewer-entries'],
  );
});

test('GRUB menu entries parse generation numbers and toplevels', () => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'nixboot-gen-grub-'));
  try {
    fs.mkdirSync(path.join(d, 'boot/grub'), { recursive: true });
    fs.writeFileSync(
      path.join(d, 'boot/grub/grub.cfg'),
      `menuentry "NixOS - Default" {\n  linux ($drive1)/kernels/x-bzImage init=${top(3)}/init\n  initrd ($drive1)/boot/kernels/x-initrd\n}\nsubmenu "NixOS - All configurations" {\nmenuentry "NixOS - Configuration 2 (2024-01-01 - 23.11.2)" {\n  linux /kernels/y-bzImage init=${top(2)}/init loglevel=4\n  initrd /kernels/y-initrd\n}\nmenuentry "NixOS - Configuration 1 (2024-01-01 - 23.11.1)" {\n  linux ($drive2)/store/${H('k')}-linux/bzImage init=${top(1)}/init\n  initrd ($drive2)/nix/store/${H('i')}-initrd/initrd\n}\n}\n`,
    );
    const s = readBootLoader(d);
    assert.equal(s.loader, 'grub');
    // Copies under a searched drive (install-grub.pl names /boot's file system `($driveN)`) are files in /boot; store paths are not.
    assert.deepEqual(
      s.entries.map((e) => [e.generation, e.toplevel, e.files]),
      [
        [undefined, top(3), ['kernels/x-bzImage', 'kernels/x-initrd']],
        [2, top(2), ['kernels/y-bzImage', 'kernels/y-initrd']],
        [1, top(1), []],
      ],
    );
  } finally {
    fs.rmSync(d, { recursive: true, force: true });
  }
});

test('extlinux entries that load device trees are marked: their copied dtbs directory is not measured, so the budget gives no total count', () => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'nixboot-gen-ext-'));
  try {
    fs.mkdirSync(path.join(d, 'boot/extlinux'), { recursive: true });
    fs.writeFileSync(
      path.join(d, 'boot/extlinux/extlinux.conf'),
      `LABEL nixos-default\n  MENU LABEL NixOS - Default\n  LINUX ../nixos/${H('k')}-linux-6.1.5-Image\n  INITRD ../nixos/${H('i')}-initrd-initrd\n  APPEND init=${top(2)}/init\n  FDTDIR ../nixos/${H('k')}-linux-6.1.5-dtbs\n` +
        `LABEL nixos-1-default\n  MENU LABEL NixOS - Configuration 1\n  LINUX ../nixos/${H('k')}-linux-6.1.5-Image\n  INITRD ../nixos/${H('i')}-initrd-initrd\n  APPEND init=${top(1)}/init\n`,
    );
    const s = readBootLoader(d);
    assert.deepEqual(
      s.entries.map((e) => [e.files.length, e.deviceTreeDir ?? false]),
      [
        [2, true],
        [2, false],
      ],
    );
    fs.mkdirSync(path.join(d, 'boot/nixos'));
    for (const f of s.entries[0]!.files) fs.writeFileSync(path.join(d, 'boot', f), Buffer.alloc(1000));
    const gen = {
      generation: 2,
      date: '',
      link: '',
      storePath: top(2),
      exists: true,
      kernel: { path: '/k', size: 1000 },
      initrd: { path: '/i', size: 1000 },
      kernelParams: [],
      specialisations: [],
      source: 'toplevel' as const,
      current: true,
      booted: true,
      default: true,
      bootEntry: true,
    };
    const report = { root: d, profile: '/nix/var/nix/profiles/system', generations: [gen], boot: s };
    const withDtbs = bootBudget(report);
    assert.equal(withDtbs.usedByGenerations, 2000);
    assert.ok(withDtbs.roomFor !== undefined && withDtbs.fits === undefined);
    const without = bootBudget({
      ...report,
      boot: { ...s, entries: s.entries.map((e) => ({ ...e, deviceTreeDir: false })) },
    });
    assert.equal(without.fits, Math.floor((2000 + without.freeBytes!) / 2000));
  } finally {
    fs.rmSync(d, { recursive: true, force: true });
  }
});

test('warnings: one generation left, /boot full', () => {
  const r = readGenerations({ root });
  const one = { ...r, generations: r.generations.slice(1) };
  const b: BootBudget = { ...bootBudget(one), freeBytes: 100, roomFor: 0 };
  assert.deepEqual(
    generationWarnings(one, b).map((w) => w.kind),
    ['one-generation', 'boot-full'],
  );
  assert.match(
    generationWarnings(one, b)[1]!.message,
    /100 B free; the next generation needs about 6\.8 KiB/,
  );
});

test('bad input: clear one-line errors, no crash', async () => {
  let io = capture();
  assert.equal(await runCli(['generations', '--root', path.join(root, 'nope')], io), 2);
  assert.match(io.stderr(), /^nixboot generations: cannot read the profile directory .*nope/);
  io = capture();
  assert.equal(await runCli(['generations', '--bogus'], io), 2);
  assert.match(io.stderr(), /unknown option '--bogus'/);
  io = capture();
  assert.equal(await runCli(['generations', 'find', '(', '--root', root], io), 2);
  io = capture();
  assert.equal(await runCli(['generations', '--root', root, '--json'], io), 0);
  assert.equal((JSON.parse(io.stdout()) as { generations: unknown[] }).generations.length, 2);
  await assert.rejects(
    queryClosure(top(1), { root, env: { PATH: '/nonexistent' } }),
    /'nix' was not found on PATH \(install Nix/,
  );
});
