import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { openArchive } from '../../server/src/initrd/archive';
import { checkArchive } from '../../server/src/initrd/check';
import { diskUsage } from '../../server/src/initrd/du';
import { diffArchives } from '../../server/src/initrd/diff';
import { parseElf } from '../../server/src/initrd/elf';
import { runCli } from '../../server/src/cli/main';
import type { CliIO } from '../../server/src/cli/io';
import { makeInitrd, type FixtureFile } from '../fixtures/makeInitrd';
import { skipUnless } from '../nixEnv';

let dir: string;
let cacheDir: string;
before(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nixboot-initrd-check-'));
  cacheDir = path.join(dir, 'cache');
});
after(() => fs.rmSync(dir, { recursive: true, force: true }));

const ls = fs.readFileSync('/bin/ls');
const lib = (p: string) => fs.readFileSync(fs.realpathSync(p));
const H = '0123456789abcdfghijklmnpqrsvwxyz';

function io(cwd: string) {
  let out = '';
  let err = '';
  const c: CliIO = {
    cwd,
    env: { ...process.env, NIXBOOT_CACHE_DIR: cacheDir },
    out: (t) => void (out += t),
    outBytes: async (b) => void (out += Buffer.from(b).toString()),
    err: (t) => void (err += t),
    signal: new AbortController().signal,
  };
  return { c, out: () => out, err: () => err };
}

test('ELF reader: PT_INTERP and DT_NEEDED of /bin/ls', () => {
  const e = parseElf(ls)!;
  assert.equal(e.interp, '/lib64/ld-linux-x86-64.so.2');
  assert.ok(e.needed.includes('libc.so.6'));
  assert.equal(parseElf(Buffer.from('not elf at all, really')), undefined);
  assert.equal(parseElf(ls.subarray(0, 70)), undefined);
});

test(
  'health check finds seed 002 problems and nothing in a healthy image (real cpio, zstd)',
  { skip: skipUnless('cpio', 'zstd') },
  async () => {
    const healthy: FixtureFile[] = [
      { path: 'init', content: '#!/bin/ls\n', mode: 0o755 },
      { path: 'bin/ls', content: ls, mode: 0o755 },
      { path: 'lib64/ld-linux-x86-64.so.2', content: lib('/lib64/ld-linux-x86-64.so.2'), mode: 0o755 },
      ...['libselinux.so.1', 'libc.so.6', 'libpcre2-8.so.0'].map((n) => ({
        path: `lib/x86_64-linux-gnu/${n}`,
        content: lib(`/lib/x86_64-linux-gnu/${n}`),
        mode: 0o755,
      })),
      { path: 'etc/systemd/system/ok.service', content: '[Service]\nExecStart=-/bin/ls -l\n' },
      { path: 'lib/modules/6.6.30/kernel/nvme.ko', content: 'ko' },
      { path: 'etc/mtab', type: 'symlink', target: '/proc/mounts' },
    ];
    const good = await makeInitrd({
      dir: path.join(dir, 'good'),
      segments: [{ compression: 'zstd', files: healthy }],
    });
    assert.deepEqual(
      await checkArchive(await openArchive(good, { cacheDir }), { kernelVersion: '6.6.30' }),
      [],
    );

    const bad = await makeInitrd({
      dir: path.join(dir, 'bad'),
      segments: [
        {
          compression: 'zstd',
          files: [
            { path: 'init', type: 'dir' },
            { path: 'bin/ls', content: ls, mode: 0o755 },
            { path: 'bin/script', content: '#!/bin/bash -e\necho\n', mode: 0o755 },
            {
              path: 'etc/systemd/system/nvme-hw-key.service',
              content: '[Unit]\nDescription=x\n[Service]\nExecStart=/bin/sed-key --unlock\n',
            },
            { path: 'lib/modules/6.1.0/kernel/nvme.ko', content: 'ko' },
            { path: 'bin/dangling', type: 'symlink', target: '../nowhere' },
          ],
        },
      ],
    });
    const problems = await checkArchive(await openArchive(bad, { cacheDir }), { kernelVersion: '6.6.30' });
    const codes = problems.map((p) => `${p.path} ${p.code}`).sort();
    assert.deepEqual(codes, [
      '/bin/dangling dangling-symlink',
      '/bin/ls elf-interp-missing',
      '/bin/ls elf-needed-missing',
      '/bin/ls elf-needed-missing',
      '/bin/script shebang-missing',
      '/etc/systemd/system/nvme-hw-key.service unit-exec-missing',
      '/init init-not-file',
      '/lib/modules/6.1.0 kernel-version-mismatch',
    ]);
    assert.equal(problems.find((p) => p.code === 'unit-exec-missing')!.line, 3);

    const noInit = await makeInitrd({
      dir: path.join(dir, 'noinit'),
      segments: [
        {
          compression: 'gzip',
          files: [
            { path: 'etc/x', content: 'x' },
            { path: 'sbin/init', content: 'x' },
          ],
        },
      ],
    });
    const p2 = await checkArchive(await openArchive(noInit, { cacheDir }));
    assert.deepEqual(
      p2.map((p) => p.code),
      ['init-missing'],
    );
    assert.match(p2[0]!.message, /Unable to mount root fs/);

    const r = io(dir);
    assert.equal(await runCli(['initrd', 'check', '--kernel-version', '6.6.30', bad], r.c), 1);
    assert.match(r.out(), /\/init: error: \/init is a directory/);
    const r2 = io(dir);
    assert.equal(await runCli(['initrd', 'check', good], r2.c), 0);
    assert.match(r2.out(), /no problems found/);
  },
);

test(
  'du: size by top-level directory and store path; hardlinks counted once (real cpio, zstd)',
  { skip: skipUnless('cpio', 'zstd') },
  async () => {
    const big = `/nix/store/${H}-systemd-255`.slice(1);
    const small = `/nix/store/${H.split('').reverse().join('')}-kmod-31`.slice(1);
    const file = await makeInitrd({
      dir: path.join(dir, 'du'),
      segments: [
        {
          compression: 'zstd',
          files: [
            { path: `${big}/lib/libsystemd-core.so`, content: Buffer.alloc(30_000, 1) },
            { path: `${big}/bin/systemctl`, content: Buffer.alloc(5_000, 2) },
            { path: `${small}/bin/kmod`, content: Buffer.alloc(1_000, 3) },
            { path: `${small}/bin/modprobe`, type: 'hardlink', target: `${small}/bin/kmod` },
            { path: 'lib/modules/6.6.30/kernel/a.ko.xz', content: Buffer.alloc(700, 4) },
            { path: 'init', content: 'x', mode: 0o755 },
          ],
        },
      ],
    });
    const du = diskUsage(await openArchive(file, { cacheDir }));
    assert.equal(du.total, 30_000 + 5_000 + 1_000 + 700 + 1);
    assert.deepEqual(
      du.topLevel.map((t) => [t.path, t.size]),
      [
        ['/nix', 36_000],
        ['/lib', 700],
        ['/init', 1],
      ],
    );
    assert.deepEqual(
      du.storePaths.map((t) => [t.path, t.size]),
      [
        ['/' + big, 35_000],
        ['/' + small, 1_000],
      ],
    );
    assert.equal(du.largest[0]!.path, `/${big}/lib/libsystemd-core.so`);
    assert.deepEqual(du.kernelModules, [{ version: '6.6.30', modules: 1, size: 700 }]);
    const r = io(dir);
    assert.equal(await runCli(['initrd', 'du', '--json', file], r.c), 0);
    assert.equal(JSON.parse(r.out()).total, du.total);
  },
);

test(
  'diff between two generations: units first, changed unit is text, added/removed (real cpio, zstd, gzip)',
  { skip: skipUnless('cpio', 'zstd', 'gzip') },
  async () => {
    const g9 = await makeInitrd({
      dir: path.join(dir, 'g9'),
      segments: [
        {
          compression: 'zstd',
          files: [
            {
              path: 'etc/systemd/system/nvme-hw-key.service',
              content: '[Service]\nExecStart=/bin/sed-key\n',
            },
            { path: 'bin/a', content: 'same' },
            { path: 'bin/gone', content: 'x' },
            { path: 'bin/mode', content: 'm', mode: 0o644 },
            { path: 'bin/blob', content: Buffer.from([0, 1, 2, 3]) },
          ],
        },
      ],
    });
    const g18 = await makeInitrd({
      dir: path.join(dir, 'g18'),
      segments: [
        {
          compression: 'gzip',
          files: [
            {
              path: 'etc/systemd/system/nvme-hw-key.service',
              content: '[Service]\nExecStart=/bin/sed-kee\n',
            },
            { path: 'bin/a', content: 'same' },
            { path: 'bin/new', content: 'n' },
            { path: 'bin/mode', content: 'm', mode: 0o755 },
            { path: 'bin/blob', content: Buffer.from([0, 1, 2, 4]) },
          ],
        },
      ],
    });
    const d = await diffArchives(await openArchive(g9, { cacheDir }), await openArchive(g18, { cacheDir }));
    assert.deepEqual(
      d.changes.map((c) => `${c.kind} ${c.path} ${c.detail ?? ''}`),
      [
        'changed /etc/systemd/system/nvme-hw-key.service content',
        'changed /bin/blob content',
        'removed /bin/gone ',
        'changed /bin/mode mode 644 → 755',
        'added /bin/new ',
      ],
    );
    assert.equal(d.changes[0]!.text, true);
    assert.equal(d.changes[1]!.text, false);
    // Which changes are systemd units is the engine's answer (the Compare view groups by it).
    assert.deepEqual(
      d.changes.map((c) => c.unit),
      [true, false, false, false, false],
    );
    const r = io(dir);
    assert.equal(await runCli(['initrd', 'diff', g9, g9], r.c), 0);
    assert.match(r.out(), /0 added, 0 removed, 0 changed/);
  },
);

test(
  'the generation kernel version comes from the toplevel beside the initrd (real cpio, gzip)',
  { skip: skipUnless('cpio', 'gzip') },
  async () => {
    const top = path.join(dir, 'toplevel');
    fs.mkdirSync(path.join(top, 'kernel-modules/lib/modules/6.6.30'), { recursive: true });
    await makeInitrd({
      dir: top,
      segments: [
        {
          compression: 'gzip',
          files: [
            { path: 'init', content: 'x', mode: 0o755 },
            { path: 'lib/modules/6.1.0/kernel/a.ko', content: 'x' },
          ],
        },
      ],
    });
    const r = io(dir);
    assert.equal(await runCli(['initrd', 'check', path.join(top, 'initrd')], r.c), 1);
    assert.match(r.out(), /kernel modules are for 6\.1\.0, but the generation's kernel is 6\.6\.30/);
  },
);
