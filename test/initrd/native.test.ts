// The native decoder path: `zstd`/`xz` write a compressed segment straight into the cache file
// while the index is read back from it (server/src/initrd/segments.ts `nativeToCache`). Checked
// against the JavaScript decoders entry for entry and byte for byte, and on hostile input:
// corrupt and truncated streams, lying sizes, decompression bombs, cancel.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import fc from 'fast-check';
import { mutatedImages } from './mutations';
import { openArchive, InitrdError, type Archive } from '../../server/src/initrd/archive';
import { makeInitrd, makeCpio, compress, type FixtureFile } from '../fixtures/makeInitrd';
import { skipUnless } from '../nixEnv';

let dir: string;
before(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nixboot-initrd-native-'));
});
after(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Every native segment goes to the native decoder, however small. */
const NATIVE = { nativeMinSize: 0 };

const bytes = (n: number, k: number) =>
  Buffer.from(Array.from({ length: n }, (_, i) => (i * k + (i >> 9)) & 0xff));

/** Small files crossing the 64 KiB read windows, a file larger than a window, links, devices. */
function richFiles(tag: string): FixtureFile[] {
  const files: FixtureFile[] = [
    { path: 'init', content: '#!/bin/sh\nexec /bin/sh\n', mode: 0o755 },
    { path: 'bin/sh', content: bytes(200_001, 7), mode: 0o755 },
    { path: 'bin/ash', type: 'hardlink', target: 'bin/sh' },
    { path: 'etc/mtab', type: 'symlink', target: '/proc/mounts' },
    { path: `lib/${'long-name-'.repeat(20)}${tag}`, type: 'symlink', target: `../${'t'.repeat(300)}` },
    { path: 'dev/console', type: 'char', rdev: [5, 1], mode: 0o600 },
    { path: 'empty', content: '' },
  ];
  for (let i = 0; i < 700; i++)
    files.push({ path: `etc/d${i % 13}/f${i}-${tag}.conf`, content: `k${i}=${'v'.repeat(i % 97)}\n` });
  return files;
}

function dataFile(cacheDir: string): string {
  const root = path.join(cacheDir, 'initrd');
  const [key] = fs.readdirSync(root).filter((n) => !n.startsWith('.tmp-'));
  return path.join(root, key!, 'data');
}

async function sameArchives(a: Archive, b: Archive): Promise<void> {
  const shape = (x: Archive) =>
    x.entries.map((e) => [
      e.path,
      e.type,
      e.size,
      e.mode,
      e.uid,
      e.gid,
      e.mtime,
      e.target ?? null,
      e.rdev ?? null,
      e.segment,
    ]);
  assert.deepEqual(shape(a), shape(b));
  assert.deepEqual(
    a.segments.map((s) => ({ ...s })),
    b.segments.map((s) => ({ ...s })),
  );
  for (const e of a.entries)
    if (e.type === 'file') assert.deepEqual(await a.readEntry(e), await b.readEntry(b.get(e.path)!), e.path);
}

function noTemporaries(cacheDir: string): void {
  const root = path.join(cacheDir, 'initrd');
  if (fs.existsSync(root))
    for (const n of fs.readdirSync(root)) assert.ok(!n.startsWith('.tmp-'), `${n} left behind`);
}

for (const c of ['zstd', 'xz'] as const) {
  test(
    `native ${c}: whole image, and between other segments; same entries and bytes as the JavaScript decoder (real cpio, ${c})`,
    { skip: skipUnless('cpio', c, 'gzip') },
    async () => {
      const sub = path.join(dir, `same-${c}`);
      const images = [
        await makeInitrd({ dir: sub, name: 'whole', segments: [{ compression: c, files: richFiles('w') }] }),
        await makeInitrd({
          dir: sub,
          name: 'middle',
          segments: [
            {
              compression: 'none',
              files: [{ path: 'kernel/x86/microcode/GenuineIntel.bin', content: 'microcode!' }],
              padTo: 512,
            },
            { compression: c, files: richFiles('m') },
            { compression: 'gzip', files: [{ path: 'etc/secret', content: 'after the native segment' }] },
          ],
        }),
        await makeInitrd({
          dir: sub,
          name: 'crc',
          segments: [{ compression: c, format: 'crc', files: richFiles('c') }],
        }),
      ];
      // two archives in one compressed stream, the second overriding a file of the first
      const two = path.join(sub, 'two');
      fs.writeFileSync(
        two,
        compress(
          Buffer.concat([
            makeCpio(sub, richFiles('a')),
            Buffer.alloc(512),
            makeCpio(sub, [{ path: 'init', content: 'second' }]),
          ]),
          c,
        ),
      );
      images.push(two);
      for (const img of images) {
        const nativeCache = path.join(sub, `cache-native-${path.basename(img)}`);
        const native = await openArchive(img, { cacheDir: nativeCache, ...NATIVE });
        const js = await openArchive(img, {
          cacheDir: path.join(sub, `cache-js-${path.basename(img)}`),
          native: false,
        });
        await sameArchives(native, js);
        // the native decoder wrote the whole decompressed stream (headers too) into the cache
        const seg = native.segments.find((s) => s.compression === c)!;
        assert.ok(fs.statSync(dataFile(nativeCache)).size >= seg.size, `${img}: the native path was taken`);
        const again = await openArchive(img, { cacheDir: nativeCache, ...NATIVE });
        assert.equal(again.cached, true);
        await sameArchives(again, js);
      }
      assert.equal(
        (
          await (
            await openArchive(two, { cacheDir: path.join(sub, 'cache-native-two'), ...NATIVE })
          ).readFile('/init')
        ).toString(),
        'second',
      );
      assert.equal(
        (
          await (
            await openArchive(images[1]!, { cacheDir: path.join(sub, 'cache-native-middle') })
          ).readFile('/etc/secret')
        ).toString(),
        'after the native segment',
      );
    },
  );
}

test(
  'without zstd on PATH, or with one that fails before writing, the JavaScript decoder is used, with the same result (real cpio, zstd)',
  { skip: skipUnless('cpio', 'zstd') },
  async () => {
    const sub = path.join(dir, 'nopath');
    const img = await makeInitrd({ dir: sub, segments: [{ compression: 'zstd', files: richFiles('p') }] });
    const native = await openArchive(img, { cacheDir: path.join(sub, 'cache-native'), ...NATIVE });
    const failing = path.join(sub, 'failing-bin');
    fs.mkdirSync(failing, { recursive: true });
    fs.writeFileSync(path.join(failing, 'zstd'), '#!/bin/sh\necho "zstd: unknown option" >&2\nexit 1\n', {
      mode: 0o755,
    });
    const saved = process.env.PATH;
    try {
      for (const bin of [path.join(sub, 'empty-bin'), `${failing}:/usr/bin:/bin`]) {
        process.env.PATH = bin;
        const cacheDir = path.join(sub, `cache-${path.basename(bin.split(':')[0]!)}`);
        const js = await openArchive(img, { cacheDir, ...NATIVE });
        await sameArchives(native, js);
        assert.ok(
          fs.statSync(dataFile(cacheDir)).size < js.segments[0]!.size,
          'only file data is cached by the JavaScript path',
        );
      }
    } finally {
      process.env.PATH = saved;
    }
  },
);

/** A hand-made newc member (for sizes GNU cpio would not write). */
function newc(
  name: string,
  data: Buffer | string,
  size = Buffer.byteLength(data),
  mode = 0o100644,
  namesize?: number,
): Buffer {
  const hex = (n: number) => n.toString(16).padStart(8, '0');
  const nameBytes = Buffer.from(name + '\0');
  const fields = [1, mode, 0, 0, 1, 1, size, 0, 0, 0, 0, namesize ?? nameBytes.length, 0].map(hex).join('');
  const head = Buffer.concat([Buffer.from('070701' + fields), nameBytes]);
  const p1 = Buffer.alloc((4 - (head.length % 4)) % 4);
  const body = Buffer.from(data);
  return Buffer.concat([head, p1, body, Buffer.alloc((4 - (body.length % 4)) % 4)]);
}
const trailer = () => newc('TRAILER!!!', '', 0, 0);

for (const c of ['zstd', 'xz'] as const) {
  test(
    `native ${c}: corrupt, truncated and lying input ends in a clear InitrdError and leaves nothing behind (real cpio, ${c})`,
    { skip: skipUnless('cpio', c) },
    async () => {
      const sub = path.join(dir, `hostile-${c}`);
      fs.mkdirSync(sub, { recursive: true });
      const cacheDir = path.join(sub, 'cache');
      const plain = makeCpio(sub, richFiles('h'));
      const good = compress(plain, c);
      const corrupt = Buffer.from(good);
      for (let i = Math.floor(good.length / 2); i < Math.floor(good.length / 2) + 16; i++) corrupt[i] ^= 0x5a;
      const cases: [string, Buffer, RegExp][] = [
        [
          'cut short',
          good.subarray(0, Math.floor(good.length * 0.7)),
          /truncated|could not be decoded|corrupt/,
        ],
        ['corrupt block', corrupt, /could not be decoded|corrupt|cpio|checksum|name/],
        ['cpio cut inside a file', compress(plain.subarray(0, 150_000), c), /truncated/],
        ['cpio without trailer', compress(newc('a', 'x'), c), /truncated/],
        [
          'size larger than the stream',
          compress(Buffer.concat([newc('big', 'x'.repeat(100), 0xfffffff0), trailer()]), c),
          /truncated/,
        ],
        ['name size out of range', compress(newc('a', 'x', 1, 0o100644, 0x7fffffff), c), /name size/],
        [
          'dotdot',
          compress(Buffer.concat([newc('../../etc/passwd', 'x'), trailer()]), c),
          /escapes the archive root/,
        ],
        ['not cpio', compress(Buffer.from('hello, not a cpio archive at all'), c), /not a cpio/],
      ];
      for (const [name, bytes, re] of cases) {
        const f = path.join(sub, name.replace(/ /g, '-'));
        fs.writeFileSync(f, bytes);
        await assert.rejects(
          openArchive(f, { cacheDir, ...NATIVE }),
          (e: Error) => e instanceof InitrdError && re.test(e.message),
          `${name}: ${re}`,
        );
      }
      noTemporaries(cacheDir);
    },
  );
}

test(
  'native zstd: a decompression bomb is stopped by the ratio and total caps while the decoder writes (real zstd)',
  { skip: skipUnless('zstd') },
  async () => {
    const sub = path.join(dir, 'bomb');
    fs.mkdirSync(sub, { recursive: true });
    const cacheDir = path.join(sub, 'cache');
    // one file claiming almost 4 GiB, then 96 frames of 64 MiB of zeros each (6 GiB in ~ 200 KiB)
    const head = compress(newc('zeros', '', 0xfffffff0).subarray(0, 120), 'zstd');
    const zeros = compress(Buffer.alloc(64 << 20), 'zstd');
    const img = path.join(sub, 'bomb');
    fs.writeFileSync(img, Buffer.concat([head, ...Array.from({ length: 96 }, () => zeros)]));
    assert.ok(fs.statSync(img).size < 4 << 20);
    const t0 = Date.now();
    await assert.rejects(
      openArchive(img, { cacheDir, ...NATIVE }),
      (e: Error) => e instanceof InitrdError && /expands more than 100×.*decompression bomb/.test(e.message),
    );
    await assert.rejects(
      openArchive(img, { cacheDir, ...NATIVE, limits: { maxTotal: 32 << 20, maxRatio: 1e9 } }),
      (e: Error) => e instanceof InitrdError && /exceeds the limit of 33554432 bytes/.test(e.message),
    );
    // killed at the cap, not after writing 6 GiB (generous bound: this is no speed test)
    assert.ok(Date.now() - t0 < 60_000);
    noTemporaries(cacheDir);
  },
);

test(
  'native zstd and xz: cancelling kills the decoder and leaves nothing behind (real cpio, zstd, xz)',
  { skip: skipUnless('cpio', 'zstd', 'xz') },
  async () => {
    const sub = path.join(dir, 'cancel');
    for (const c of ['zstd', 'xz'] as const) {
      const img = await makeInitrd({
        dir: sub,
        name: c,
        segments: [
          { compression: 'none', files: [{ path: 'early', content: 'e' }] },
          { compression: c, files: richFiles(c) },
        ],
      });
      // at the first progress report
      const cacheDir = path.join(sub, `cache-${c}`);
      const first = new AbortController();
      await assert.rejects(
        openArchive(img, { cacheDir, ...NATIVE, signal: first.signal, onProgress: () => first.abort() }),
        (e: Error) => e instanceof InitrdError && e.message === 'cancelled',
      );
      // already cancelled before the open
      const before = new AbortController();
      before.abort();
      await assert.rejects(openArchive(img, { cacheDir, ...NATIVE, signal: before.signal }), /cancelled/);
      // during the native segment (after the early plain one)
      const during = new AbortController();
      let reports = 0;
      await assert.rejects(
        openArchive(img, {
          cacheDir,
          ...NATIVE,
          signal: during.signal,
          onProgress: (p) => void (p.offset > 0 && ++reports === 1 && during.abort()),
        }),
        /cancelled/,
      );
      assert.deepEqual(
        fs.readdirSync(path.join(cacheDir, 'initrd')),
        [],
        'a cancelled open leaves nothing behind',
      );
      // and a later open still works
      assert.ok((await openArchive(img, { cacheDir, ...NATIVE })).get('/early'));
    }
  },
);

for (const c of ['zstd', 'xz'] as const) {
  test(
    `native ${c}: mutated and truncated images end in a clear error or a listing (fuzz, real ${c})`,
    { skip: skipUnless('cpio', c), timeout: 120_000 },
    async () => {
      const sub = fs.mkdtempSync(path.join(dir, `fuzz-${c}-`));
      const plain = makeCpio(sub, [
        { path: 'init', content: '#!/bin/sh\n'.repeat(50), mode: 0o755 },
        { path: 'etc/x', content: bytes(3000, 31) },
        { path: 'l', type: 'symlink', target: 'init' },
      ]);
      const good = compress(plain, c);
      const cacheDir = path.join(sub, 'cache');
      let n = 0;
      await fc.assert(
        fc.asyncProperty(fc.oneof(...mutatedImages(good)), async (img) => {
          const f = path.join(sub, `img-${n++}`);
          fs.writeFileSync(f, img);
          try {
            const a = await openArchive(f, { cacheDir, ...NATIVE, limits: { maxTotal: 64 << 20 } });
            assert.ok(a.entries.length > 0);
          } catch (e) {
            assert.ok(e instanceof InitrdError, `${c}: ${String((e as Error).stack ?? e)}`);
          } finally {
            fs.rmSync(f);
          }
        }),
        { numRuns: 80 },
      );
      noTemporaries(cacheDir);
    },
  );
}

test(
  'the bundled CLI (dist/cli.js launches dist/cli-initrd.js): ls of a natively decoded image, warm ls, one-line error, --help (real cpio, zstd)',
  { skip: skipUnless('cpio', 'zstd') },
  async () => {
    const { spawnSync } = await import('node:child_process');
    const cli = new URL('../../dist/cli.js', import.meta.url).pathname;
    const sub = path.join(dir, 'bundled');
    const img = await makeInitrd({ dir: sub, segments: [{ compression: 'zstd', files: richFiles('b') }] });
    const env = { ...process.env, NIXBOOT_CACHE_DIR: path.join(sub, 'cache') };
    const run = (...args: string[]) =>
      spawnSync(process.execPath, [cli, ...args], { env, encoding: 'utf8', maxBuffer: 1 << 26 });
    const cold = run('initrd', 'ls', img);
    assert.equal(cold.status, 0, cold.stderr);
    const lines = cold.stdout.split('\n').filter(Boolean);
    assert.match(lines[0]!, /^# segment at 0: zstd, \d+ → \d+ bytes, \d+ entries$/);
    assert.ok(
      lines.some((l) => /^-\S{9}\s+0\s+0\s+200001 \/bin\/sh$/.test(l)),
      'bin/sh listed with its size',
    );
    assert.ok(lines.some((l) => l.endsWith('/etc/mtab -> /proc/mounts')));
    assert.equal(lines.filter((l) => l.includes('.conf')).length, 700);
    const warm = run('initrd', 'ls', img);
    assert.equal(warm.stdout, cold.stdout, 'the second open (from the cache) lists the same');
    fs.writeFileSync(path.join(sub, 'bad'), 'garbage');
    const bad = run('initrd', 'ls', path.join(sub, 'bad'));
    assert.equal(bad.status, 2);
    assert.equal(bad.stderr.trim().split('\n').length, 1, bad.stderr);
    assert.match(bad.stderr, /^nixboot initrd: .*unrecognised data/);
    const help = run('initrd', '--help');
    assert.equal(help.status, 0);
    assert.match(help.stdout, /nixboot initrd ls/);
    const version = run('--version');
    assert.equal(version.status, 0);
    assert.match(version.stdout, /^\d+\.\d+\.\d+\n$/);
  },
);
