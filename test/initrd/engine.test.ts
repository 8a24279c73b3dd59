import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { openArchive, InitrdError } from '../../server/src/initrd/archive';
import { runCli } from '../../server/src/cli/main';
import type { CliIO } from '../../server/src/cli/io';
import { makeInitrd, makeCpio, compress, type FixtureCompression } from '../fixtures/makeInitrd';
import { skipUnless } from '../nixEnv';

let dir: string;
let cacheDir: string;
before(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nixboot-initrd-'));
  cacheDir = path.join(dir, 'cache');
});
after(() => fs.rmSync(dir, { recursive: true, force: true }));

const binary = Buffer.from(Array.from({ length: 70_000 }, (_, i) => (i * 7919) & 0xff));

const mainFiles = [
  { path: 'init', content: '#!/bin/sh\nexec /bin/sh\n', mode: 0o755 },
  { path: 'bin/sh', content: binary, mode: 0o755 },
  { path: 'bin/ash', type: 'hardlink' as const, target: 'bin/sh' },
  { path: 'bin/busybox', type: 'hardlink' as const, target: 'bin/sh' },
  { path: 'etc/systemd/system/nvme-hw-key.service', content: '[Service]\nExecStart=/bin/sh -c true\n' },
  { path: 'etc/mtab', type: 'symlink' as const, target: '/proc/mounts' },
  { path: 'lib/libc.so.6', type: 'symlink' as const, target: 'libc-2.38.so' },
  { path: 'dev/console', type: 'char' as const, rdev: [5, 1] as [number, number], mode: 0o600 },
  { path: 'dev/sda', type: 'block' as const, rdev: [8, 0] as [number, number], mode: 0o660 },
  { path: 'run/fifo', type: 'fifo' as const },
  { path: 'empty', content: '' },
];

function capture(cwd: string): CliIO & { stdout: () => Buffer; stderr: () => string } {
  const out: Buffer[] = [];
  let err = '';
  return {
    cwd,
    env: { ...process.env, NIXBOOT_CACHE_DIR: cacheDir },
    out: (t) => void out.push(Buffer.from(t)),
    outBytes: async (b) => void out.push(Buffer.from(b)),
    err: (t) => void (err += t),
    signal: new AbortController().signal,
    stdout: () => Buffer.concat(out),
    stderr: () => err,
  };
}

/** A hand-made newc member (for names and sizes GNU cpio would not write). */
function newc(name: string, data: string, size = data.length, mode = 0o100644): Buffer {
  const hex = (n: number) => n.toString(16).padStart(8, '0');
  const nameBytes = Buffer.from(name + '\0');
  const fields = [1, mode, 0, 0, 1, 1, size, 0, 0, 0, 0, nameBytes.length, 0].map(hex).join('');
  const head = Buffer.concat([Buffer.from('070701' + fields), nameBytes]);
  const p1 = Buffer.alloc((4 - (head.length % 4)) % 4);
  const body = Buffer.from(data);
  return Buffer.concat([head, p1, body, Buffer.alloc((4 - (body.length % 4)) % 4)]);
}

function cpioList(file: Buffer): string[] {
  const r = spawnSync('cpio', ['-t', '--quiet'], { input: file });
  return r.stdout
    .toString()
    .split('\n')
    .filter(Boolean)
    .map((n) => '/' + n.replace(/^\.\//, ''))
    .filter((n) => n !== '/.');
}

for (const c of ['zstd', 'gzip', 'xz', 'lzma', 'bzip2', 'lz4-legacy', 'lz4'] as FixtureCompression[]) {
  test(
    `early plain cpio + ${c} main archive: every entry matches cpio -t (real cpio, ${c.replace(/-legacy/, '')})`,
    { skip: skipUnless('cpio', c.startsWith('lz4') ? 'lz4' : c === 'lzma' ? 'xz' : c) },
    async () => {
      const sub = path.join(dir, c);
      const file = await makeInitrd({
        dir: sub,
        segments: [
          {
            compression: 'none',
            files: [{ path: 'kernel/x86/microcode/GenuineIntel.bin', content: 'microcode!' }],
            padTo: 512,
          },
          { compression: c, files: mainFiles },
        ],
      });
      const a = await openArchive(file, { cacheDir });
      assert.equal(a.cached, false);
      assert.deepEqual(
        a.segments.map((s) => s.compression),
        ['none', c],
      );
      assert.equal(a.segments[1]!.offset, 512);
      // entry-for-entry comparison with GNU cpio on the decompressed main archive
      const mainBytes = makeCpio(sub, mainFiles);
      const expected = new Set([...cpioList(mainBytes), '/kernel/x86/microcode/GenuineIntel.bin']);
      const got = new Set(a.entries.filter((e) => e.segment >= 0).map((e) => e.path));
      assert.deepEqual([...got].sort(), [...expected].sort());
      assert.deepEqual(await a.readFile('/bin/sh'), binary);
      assert.deepEqual(await a.readFile('/bin/ash'), binary, 'hardlink shares the data');
      assert.deepEqual(await a.readFile('/bin/busybox'), binary);
      assert.equal((await a.readFile('/kernel/x86/microcode/GenuineIntel.bin')).toString(), 'microcode!');
      assert.equal(a.get('/dev/console')!.type, 'char');
      assert.deepEqual(a.get('/dev/console')!.rdev, [5, 1]);
      assert.equal(a.get('/dev/sda')!.type, 'block');
      assert.equal(a.get('/run/fifo')!.type, 'fifo');
      assert.equal(a.get('/etc/mtab')!.target, '/proc/mounts');
      assert.equal(a.get('/init')!.mode, 0o755);
      assert.equal((await a.readFile('/empty')).length, 0);
      // second open comes from the cache
      const again = await openArchive(file, { cacheDir });
      assert.equal(again.cached, true);
      assert.deepEqual(await again.readFile('/bin/ash'), binary);
    },
  );
}

test(
  'crc (070702) archives, a secrets segment appended after the main one, multi-member gzip (real cpio, gzip, zstd)',
  { skip: skipUnless('cpio', 'gzip', 'zstd') },
  async () => {
    const sub = path.join(dir, 'multi');
    fs.mkdirSync(sub, { recursive: true });
    const early = makeCpio(sub, [{ path: 'early', content: 'e' }], 'crc');
    const main = compress(
      makeCpio(sub, [
        { path: 'a', content: 'A1' },
        { path: 'etc/x', content: 'old' },
      ]),
      'gzip',
    );
    const main2 = compress(makeCpio(sub, [{ path: 'b', content: 'B' }]), 'gzip');
    const secrets = compress(makeCpio(sub, [{ path: 'etc/x', content: 'secret' }]), 'zstd');
    const pad = (b: Buffer) => Buffer.concat([b, Buffer.alloc((4 - (b.length % 4)) % 4)]);
    const file = path.join(sub, 'initrd');
    fs.writeFileSync(
      file,
      Buffer.concat([
        pad(early),
        pad(Buffer.concat([main, main2])),
        Buffer.alloc(8),
        secrets,
        Buffer.alloc(100),
      ]),
    );
    const a = await openArchive(file, { cacheDir });
    assert.deepEqual(
      a.segments.map((s) => s.compression),
      ['none', 'gzip', 'zstd'],
    );
    assert.equal(a.segments[1]!.archives, 2, 'both gzip members are read');
    assert.equal((await a.readFile('/b')).toString(), 'B');
    assert.equal((await a.readFile('/etc/x')).toString(), 'secret', 'a later entry wins');
    assert.equal((await a.readFile('/early')).toString(), 'e');
  },
);

test('unified kernel image: initrd and command line from PE sections', async () => {
  const sub = path.join(dir, 'uki');
  fs.mkdirSync(sub, { recursive: true });
  const initrd = makeCpio(sub, [{ path: 'init', content: 'x', mode: 0o755 }]);
  const cmdline = Buffer.from('init=/nix/store/abc-nixos-system/init root=fstab\0');
  const linux = Buffer.alloc(4096, 0x90);
  // minimal PE: DOS header, PE header, no optional header, three sections
  const sections = [
    ['.linux', linux],
    ['.cmdline', cmdline],
    ['.initrd', initrd],
  ] as const;
  const headerSize = 0x200;
  const pe = Buffer.alloc(headerSize);
  pe.write('MZ', 0, 'latin1');
  pe.writeUInt32LE(0x40, 0x3c);
  pe.write('PE\0\0', 0x40, 'latin1');
  pe.writeUInt16LE(sections.length, 0x40 + 6);
  pe.writeUInt16LE(0, 0x40 + 20);
  let off = headerSize;
  const bodies: Buffer[] = [];
  sections.forEach(([name, body], i) => {
    const t = 0x40 + 24 + i * 40;
    pe.write(name, t, 'latin1');
    pe.writeUInt32LE(body.length, t + 8);
    pe.writeUInt32LE(body.length, t + 16);
    pe.writeUInt32LE(off, t + 20);
    bodies.push(body);
    off += body.length;
  });
  const file = path.join(sub, 'nixos.efi');
  fs.writeFileSync(file, Buffer.concat([pe, ...bodies]));
  const a = await openArchive(file, { cacheDir });
  assert.equal(a.uki?.cmdline, 'init=/nix/store/abc-nixos-system/init root=fstab');
  assert.equal(a.uki?.kernelSize, 4096);
  assert.equal((await a.readFile('/init')).toString(), 'x');
});

test(
  'hostile input ends in a clear InitrdError (real cpio)',
  { skip: skipUnless('cpio', 'zstd') },
  async () => {
    const sub = path.join(dir, 'hostile');
    fs.mkdirSync(sub, { recursive: true });
    const good = makeCpio(sub, [{ path: 'etc/a', content: 'x'.repeat(1000) }]);
    const write = (name: string, b: Buffer) => {
      const f = path.join(sub, name);
      fs.writeFileSync(f, b);
      return f;
    };
    const cases: [string, Buffer, RegExp][] = [
      ['garbage', Buffer.from('hello world, not an initrd'), /unrecognised data/],
      ['truncated', good.subarray(0, 300), /truncated/],
      ['truncated-zstd', compress(good, 'zstd').subarray(0, 40), /truncated|corrupt/],
      [
        'dotdot',
        Buffer.concat([newc('../../etc/passwd', 'x'), newc('TRAILER!!!', '')]),
        /escapes the archive root/,
      ],
      ['lying-size', Buffer.concat([newc('a', 'x', 0xffffff)]), /truncated/],
      ['odc', Buffer.from('070707' + '0'.repeat(100)), /070707/],
    ];
    for (const [name, bytes, re] of cases) {
      await assert.rejects(
        openArchive(write(name, bytes), { cacheDir }),
        (e: Error) => e instanceof InitrdError && re.test(e.message),
        name,
      );
    }
    // decompression bomb: 64 MiB of zeros in one file, ratio capped
    const zeros = compress(makeCpio(sub, [{ path: 'zeros', content: Buffer.alloc(80 << 20) }]), 'zstd');
    await assert.rejects(
      openArchive(write('bomb', zeros), { cacheDir, limits: { maxRatio: 10 } }),
      /decompression bomb/,
    );
    await assert.rejects(
      openArchive(write('bomb2', zeros), { cacheDir, limits: { maxTotal: 1 << 20 } }),
      /decompression bomb/,
    );
    // nothing left behind in the cache but finished indexes
    for (const n of fs.readdirSync(path.join(cacheDir, 'initrd'))) assert.ok(!n.startsWith('.tmp-'), n);
  },
);

test(
  'CLI: ls --json, cat exact bytes, exit 2 with one line on bad input (real cpio, zstd)',
  { skip: skipUnless('cpio', 'zstd') },
  async () => {
    const sub = path.join(dir, 'cli');
    const file = await makeInitrd({ dir: sub, segments: [{ compression: 'zstd', files: mainFiles }] });
    let io = capture(sub);
    assert.equal(await runCli(['initrd', 'ls', '--json', 'initrd'], io), 0, io.stderr());
    const j = JSON.parse(io.stdout().toString()) as {
      segments: { offset: number; compression: string; compressedSize: number; size: number }[];
      entries: {
        path: string;
        type: string;
        size: number;
        mode: number;
        uid: number;
        gid: number;
        mtime: number;
        target?: string;
      }[];
    };
    assert.equal(j.segments.length, 1);
    assert.deepEqual(Object.keys(j.segments[0]!).sort(), ['compressedSize', 'compression', 'offset', 'size']);
    assert.ok(
      fs.statSync(file).size - j.segments[0]!.compressedSize < 4,
      'the zstd frames end where the padding begins',
    );
    const sda = j.entries.find((e) => e.path === '/dev/sda')!;
    assert.equal(sda.type, 'block');
    assert.equal(j.entries.find((e) => e.path === '/etc/mtab')!.target, '/proc/mounts');
    assert.equal(j.entries.find((e) => e.path === '/bin/ash')!.size, binary.length);
    io = capture(sub);
    assert.equal(await runCli(['initrd', 'cat', file, '/bin/busybox'], io), 0);
    assert.deepEqual(io.stdout(), binary);
    io = capture(sub);
    assert.equal(await runCli(['initrd', 'cat', file, '/nope'], io), 2);
    assert.match(io.stderr(), /^nixboot initrd: \/nope: no such file in the archive\n$/);
    io = capture(sub);
    fs.writeFileSync(path.join(sub, 'bad'), 'garbage');
    assert.equal(await runCli(['initrd', 'ls', 'bad'], io), 2);
    assert.equal(io.stderr().trim().split('\n').length, 1);
    io = capture(sub);
    assert.equal(await runCli(['initrd', 'ls', 'missing-file'], io), 2);
    assert.match(io.stderr(), /cannot open/);
  },
);

test(
  'large zstd segment after an early one streams through native zstd; cancelling aborts (real cpio, zstd)',
  { skip: skipUnless('cpio', 'zstd') },
  async () => {
    const sub = path.join(dir, 'native');
    const big = (await import('node:crypto')).randomBytes(6 << 20);
    const file = await makeInitrd({
      dir: sub,
      segments: [
        { compression: 'none', files: [{ path: 'early', content: 'e' }] },
        {
          compression: 'zstd',
          files: [
            { path: 'big.bin', content: big },
            { path: 'init', content: 'x', mode: 0o755 },
          ],
        },
        { compression: 'gzip', files: [{ path: 'secret', content: 's' }] },
      ],
    });
    const a = await openArchive(file, { cacheDir: path.join(sub, 'cache') });
    assert.deepEqual(
      a.segments.map((s) => s.compression),
      ['none', 'zstd', 'gzip'],
    );
    assert.ok(a.segments[1]!.compressedSize > 4 << 20);
    assert.deepEqual(await a.readFile('/big.bin'), big);
    assert.equal((await a.readFile('/secret')).toString(), 's');
    const js = await openArchive(file, {
      cacheDir: path.join(sub, 'cache-js'),
      limits: {},
      ...{ native: false },
    });
    assert.deepEqual(await js.readFile('/big.bin'), big);
    const c = new AbortController();
    const p = openArchive(file, {
      cacheDir: path.join(sub, 'cache2'),
      signal: c.signal,
      onProgress: () => c.abort(),
    });
    await assert.rejects(p, /cancelled/);
    assert.deepEqual(
      fs.readdirSync(path.join(sub, 'cache2', 'initrd')),
      [],
      'a cancelled open leaves nothing behind',
    );
  },
);

test(
  'the cache is bounded: least-recently-used images are evicted beyond the limit (real cpio, gzip)',
  { skip: skipUnless('cpio', 'gzip') },
  async () => {
    const sub = path.join(dir, 'lru');
    const cache = path.join(sub, 'cache');
    const imgs: string[] = [];
    for (let i = 0; i < 3; i++) {
      imgs.push(
        await makeInitrd({
          dir: sub,
          name: `img${i}`,
          segments: [{ compression: 'gzip', files: [{ path: 'data', content: Buffer.alloc(100_000, i) }] }],
        }),
      );
    }
    const limit = 250_000; // room for two images' data
    await openArchive(imgs[0]!, { cacheDir: cache, cacheLimit: limit });
    await new Promise((r) => setTimeout(r, 20));
    await openArchive(imgs[1]!, { cacheDir: cache, cacheLimit: limit });
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(
      (await openArchive(imgs[0]!, { cacheDir: cache, cacheLimit: limit })).cached,
      true,
      'touching img0 makes img1 the least recently used',
    );
    await new Promise((r) => setTimeout(r, 20));
    await openArchive(imgs[2]!, { cacheDir: cache, cacheLimit: limit });
    assert.equal(fs.readdirSync(path.join(cache, 'initrd')).length, 2);
    assert.equal((await openArchive(imgs[0]!, { cacheDir: cache, cacheLimit: limit })).cached, true);
    assert.equal(
      (await openArchive(imgs[1]!, { cacheDir: cache, cacheLimit: 10 ** 9 })).cached,
      false,
      'img1 was evicted',
    );
  },
);

test(
  'a gzip segment ending on a 4-byte boundary with a plain cpio right after it (no padding, as the kernel allows), members in one stream, CRC checked (real gzip)',
  { skip: skipUnless('gzip') },
  async () => {
    const trailer = Buffer.concat([newc('late', 'L\n'), newc('TRAILER!!!', '')]);
    // Vary the gzip'd archive until its compressed length is a multiple of 4 (the kernel then
    // reads a cpio at once; a decoder that expects another member or zeros there fails).
    let gz: Buffer | undefined;
    for (let n = 0; !gz || gz.length % 4 !== 0; n++) {
      assert.ok(n < 64, 'no gzip length divisible by 4 in 64 tries');
      const body = Buffer.concat([
        newc('init', `#!/bin/sh\n${'x'.repeat(n)}\n`, undefined, 0o100755),
        newc('TRAILER!!!', ''),
      ]);
      gz = compress(body, 'gzip');
    }
    const file = path.join(dir, 'gzip-then-cpio');
    fs.writeFileSync(file, Buffer.concat([gz, trailer]));
    const a = await openArchive(file, { cacheDir: path.join(dir, 'cache-gz-cpio') });
    assert.deepEqual(
      a.segments.map((s) => [s.compression, s.offset]),
      [
        ['gzip', 0],
        ['none', gz.length],
      ],
    );
    assert.equal((await a.readFile('/late')).toString(), 'L\n');
    assert.match((await a.readFile('/init')).toString(), /^#!\/bin\/sh\n/);

    // Two gzip members holding one archive split between them: one segment, as the kernel reads it.
    const whole = Buffer.concat([newc('a', 'A'.repeat(3000)), newc('b', 'B\n'), newc('TRAILER!!!', '')]);
    const split = path.join(dir, 'gzip-members');
    fs.writeFileSync(
      split,
      Buffer.concat([compress(whole.subarray(0, 1000), 'gzip'), compress(whole.subarray(1000), 'gzip')]),
    );
    const m = await openArchive(split, { cacheDir: path.join(dir, 'cache-gz-members') });
    assert.deepEqual(
      m.segments.map((s) => s.compression),
      ['gzip'],
    );
    assert.equal((await m.readFile('/b')).toString(), 'B\n');

    // A flipped byte in the CRC-32 trailer is corruption, said plainly.
    const bad = Buffer.from(gz);
    bad[bad.length - 6]! ^= 0xff;
    const badFile = path.join(dir, 'gzip-bad-crc');
    fs.writeFileSync(badFile, bad);
    await assert.rejects(openArchive(badFile, { cacheDir: path.join(dir, 'cache-gz-bad') }), (e: unknown) => {
      assert.ok(e instanceof InitrdError);
      assert.match(e.message, /gzip data at offset 0 is corrupt: its CRC-32 or length check failed/);
      return true;
    });
  },
);
