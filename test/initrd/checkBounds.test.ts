// The health check on hostile ELF-heavy images finishes quickly with bounded output. (Issue 13,
// item 8: a 92 KB image with many DT_NEEDED entries and a long RUNPATH took 24 s and printed
// 120 MB; a 621 KB one ran past 120 s and 1 GB; a huge ld.so.conf never finished.) The ELF bytes
// are written by the test (hostileElf.ts).
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { openArchive } from '../../server/src/initrd/archive';
import { checkArchive } from '../../server/src/initrd/check';
import { parseElf } from '../../server/src/initrd/elf';
import { runCli } from '../../server/src/cli/main';
import { gzip, makeElf, newcArchive, type Member } from './hostileElf';

let dir: string;
let cacheDir: string;
before(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nixboot-check-bounds-'));
  cacheDir = path.join(dir, 'cache');
});
after(() => fs.rmSync(dir, { recursive: true, force: true }));

function image(name: string, members: Member[]): string {
  const f = path.join(dir, name);
  fs.writeFileSync(f, gzip(newcArchive(members)));
  return f;
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);
const init: Member = { path: 'init', data: '#!/bin/sh\n', mode: 0o755 };
const sh: Member = { path: 'bin/sh', data: makeElf({ needed: [] }), mode: 0o755 };

/** Runs `nixboot initrd check FILE`; returns exit code, stdout size and time. */
async function cliCheck(file: string): Promise<{ code: number; out: string; ms: number }> {
  let out = '';
  const t0 = Date.now();
  const code = await runCli(['initrd', 'check', file], {
    cwd: dir,
    env: { ...process.env, NIXBOOT_CACHE_DIR: cacheDir },
    out: (t) => void (out += t),
    outBytes: async () => undefined,
    err: (t) => void (out += t),
    signal: new AbortController().signal,
  });
  return { code, out, ms: Date.now() - t0 };
}

test('libraries are found through RUNPATH with $ORIGIN, ld.so.conf includes and symlinked directories; a missing one is reported once per binary', async () => {
  const elf = makeElf({
    needed: ['libfound.so', 'libviaconf.so', 'libsym.so', 'libmissing.so', 'libmissing.so', 'libmissing.so'],
    runpath: ['$ORIGIN/../opt/lib'],
  });
  const f = image('resolve', [
    init,
    sh,
    { path: 'bin/x', data: elf, mode: 0o755 },
    { path: 'opt/lib/libfound.so', data: makeElf({ needed: [] }) },
    { path: 'etc/ld.so.conf', data: '# comment\ninclude /etc/ld.so.conf.d/*.conf\n' },
    { path: 'etc/ld.so.conf.d/a.conf', data: '/conf/lib\n' },
    { path: 'conf/lib/libviaconf.so', data: makeElf({ needed: [] }) },
    { path: 'usr/lib/libsym.so.1', data: makeElf({ needed: [] }) },
    { path: 'usr/lib/libsym.so', target: 'libsym.so.1' },
    { path: 'lib', target: 'usr/lib' },
  ]);
  const problems = await checkArchive(await openArchive(f, { cacheDir }));
  assert.deepEqual(
    problems.map((p) => [p.path, p.code, p.message.replace(/ \(searched.*/, '')]),
    [['/bin/x', 'elf-needed-missing', 'needed library libmissing.so is not in the archive']],
  );
});

test('a symlink loop is reported as a loop, not as dangling; `initrd cat` says so too', async () => {
  const f = image('loop', [
    init,
    sh,
    { path: 'a', target: 'b' },
    { path: 'b', target: 'a' },
    { path: 'c', target: 'nowhere' },
  ]);
  const problems = await checkArchive(await openArchive(f, { cacheDir }));
  assert.deepEqual(
    problems.map((p) => [p.path, p.code]),
    [
      ['/a', 'symlink-loop'],
      ['/b', 'symlink-loop'],
      ['/c', 'dangling-symlink'],
    ],
  );
  assert.match(problems[0]!.message, /^symlink loop: b leads back/);
  let err = '';
  const code = await runCli(['initrd', 'cat', f, '/a'], {
    cwd: dir,
    env: { ...process.env, NIXBOOT_CACHE_DIR: cacheDir },
    out: () => undefined,
    outBytes: async () => undefined,
    err: (t) => void (err += t),
    signal: new AbortController().signal,
  });
  assert.equal(code, 2);
  assert.match(err, /\/a: symlink loop in the archive/);
});

test('the ELF reader keeps each DT_NEEDED and RUNPATH entry once, whatever the repetition', () => {
  const elf = parseElf(
    makeElf({
      needed: [...range(50_000).map(() => 'libc.so.6'), 'libm.so.6'],
      runpath: range(200_000).map((i) => `/r/${i % 3}`),
    }),
  )!;
  assert.deepEqual(elf.needed, ['libc.so.6', 'libm.so.6']);
  assert.deepEqual(elf.runpath, ['/r/0', '/r/1', '/r/2']);
});

test(
  'many binaries × many missing DT_NEEDED × a long RUNPATH: seconds, and output bounded with a count of the rest',
  { timeout: 120_000 },
  async () => {
    // 150 binaries (hardlinked data and copies), each needing 3,000 absent libraries with a
    // 2,000-directory RUNPATH: the old check tried 6 million paths per binary and printed each
    // RUNPATH with every one of its 450,000 messages
    const elf = makeElf({
      needed: range(3000).map((i) => `libabsent${i}.so`),
      runpath: range(2000).map((i) => `/runpath/dir${i}`),
    });
    const members: Member[] = [
      init,
      sh,
      ...range(150).map((i) => ({ path: `bin/tool${i}`, data: elf, mode: 0o755 })),
    ];
    const f = image('needed', members);
    const a = await openArchive(f, { cacheDir });
    const t0 = Date.now();
    const problems = await checkArchive(a);
    const ms = Date.now() - t0;
    if (process.env.NIXBOOT_CHECK_REPORT)
      process.stderr.write(`check of ${fs.statSync(f).size}-byte image: ${ms} ms\n`);
    assert.ok(ms < 15_000, `check took ${ms} ms`);
    assert.equal(problems.length, 1001);
    const last = problems.at(-1)!;
    assert.equal(last.code, 'more-problems');
    assert.equal(last.severity, 'error');
    // 150 binaries × (RUNPATH truncated + 10 listed + 1 "and N more") = 1,800 problems, 1,000 listed
    assert.match(last.message, /^800 more problems not listed \(the first 1000 are\)$/);
    const perBinary = problems.filter((p) => p.path === '/bin/tool0');
    assert.deepEqual(
      perBinary.map((p) => p.code),
      ['search-path-truncated', ...range(11).map(() => 'elf-needed-missing')],
    );
    assert.match(
      perBinary[0]!.message,
      /^RUNPATH has more than 256 directories: libraries are searched in its first 256 only$/,
    );
    assert.match(perBinary[11]!.message, /^and 2990 more needed libraries are not in the archive$/);
    assert.match(
      perBinary[1]!.message,
      /searched RUNPATH \/runpath\/dir0:\/runpath\/dir1:\/runpath\/dir2:\/runpath\/dir3:… \(256 directories\) and the default/,
    );
    for (const p of problems) assert.ok(p.message.length < 600, p.message.slice(0, 100));
    const cli = await cliCheck(f);
    assert.equal(cli.code, 1);
    if (process.env.NIXBOOT_CHECK_REPORT)
      process.stderr.write(`CLI check: ${cli.ms} ms, ${cli.out.length} bytes\n`);
    assert.ok(cli.out.length < 400_000, `CLI printed ${cli.out.length} bytes`);
    assert.ok(cli.ms < 15_000, `CLI check took ${cli.ms} ms`);
  },
);

test(
  'a huge ld.so.conf, an include cycle and deep includes: bounded, with a warning that says so',
  { timeout: 120_000 },
  async () => {
    const conf = range(40_000)
      .map((i) => `/conf/dir${i}`)
      .join('\n'); // ~ 560 KB
    const members: Member[] = [
      init,
      sh,
      { path: 'etc/ld.so.conf', data: 'include /etc/ld.so.conf\ninclude ld.so.conf.d/*.conf\n' },
      { path: 'etc/ld.so.conf.d/big.conf', data: conf },
      ...range(20).map((i) => ({
        path: `etc/ld.so.conf.d/chain${i}.conf`,
        data: `include /etc/ld.so.conf.d/chain${i + 1}.conf\n/chain/${i}\n`,
      })),
      { path: 'bin/x', data: makeElf({ needed: range(2000).map((i) => `libnone${i}.so`) }), mode: 0o755 },
    ];
    const f = image('ldconf', members);
    const t0 = Date.now();
    const problems = await checkArchive(await openArchive(f, { cacheDir }));
    const ms = Date.now() - t0;
    assert.ok(ms < 15_000, `check took ${ms} ms`);
    const warn = problems.find((p) => p.code === 'search-path-truncated');
    assert.ok(warn, JSON.stringify(problems.slice(0, 3)));
    assert.match(
      warn.message,
      /ld\.so\.conf is too large to follow in full \(.*(larger than 256 KiB|nested more than 8 deep)/,
    );
    assert.equal(problems.filter((p) => p.path === '/bin/x').length, 11);
  },
);
