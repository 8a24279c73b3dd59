// Property and fuzz tests: the cpio reader round-trips any archive whatever the chunking, and
// random or mutated images (each compression) end in an InitrdError, never a crash or a hang.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import fc from 'fast-check';
import { mutatedImages } from './mutations';
import { CpioReader, InitrdError, type CpioEntry } from '../../server/src/initrd/cpio';
import { openArchive } from '../../server/src/initrd/archive';
import { compress, makeCpio, type FixtureCompression } from '../fixtures/makeInitrd';
import { hasProgram } from '../nixEnv';

let dir: string;
before(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nixboot-initrd-fuzz-'));
});
after(() => fs.rmSync(dir, { recursive: true, force: true }));

function newc(name: string, data: Uint8Array, mode: number, ino: number, nlink = 1): Buffer {
  const hex = (n: number) => n.toString(16).padStart(8, '0');
  const nameBytes = Buffer.from(name + '\0');
  const head = Buffer.concat([
    Buffer.from(
      '070701' + [ino, mode, 0, 0, nlink, 1, data.length, 0, 0, 0, 0, nameBytes.length, 0].map(hex).join(''),
    ),
    nameBytes,
  ]);
  return Buffer.concat([
    head,
    Buffer.alloc((4 - (head.length % 4)) % 4),
    Buffer.from(data),
    Buffer.alloc((4 - (data.length % 4)) % 4),
  ]);
}

class MemSink {
  position = 0;
  chunks: Buffer[] = [];
  entries: CpioEntry[] = [];
  write(b: Uint8Array) {
    this.chunks.push(Buffer.from(b));
    this.position += b.length;
  }
  entry(e: CpioEntry) {
    this.entries.push(e);
  }
  bytes(e: CpioEntry) {
    return Buffer.concat(this.chunks).subarray(e.dataOffset, e.dataOffset + e.size);
  }
}

const member = fc.record({
  name: fc
    .stringMatching(/^[a-z0-9._-]{1,12}(\/[a-z0-9._-]{1,12}){0,3}$/)
    .filter((n) => !n.split('/').some((p) => p === '.' || p === '..')),
  data: fc.uint8Array({ maxLength: 300 }),
  kind: fc.constantFrom('file', 'dir', 'symlink'),
});

test('cpio reader: any archive read back exactly, whatever the chunk boundaries (property)', () => {
  fc.assert(
    fc.property(
      fc.array(member, { maxLength: 12 }),
      fc.array(fc.integer({ min: 1, max: 97 }), { minLength: 1, maxLength: 20 }),
      fc.nat(3),
      (members, cuts, pad) => {
        const parts = members.map((m, i) =>
          m.kind === 'file'
            ? newc(m.name, m.data, 0o100644, i + 1)
            : m.kind === 'dir'
              ? newc(m.name, new Uint8Array(0), 0o40755, i + 1)
              : newc(m.name, Buffer.from('t' + m.data.length), 0o120777, i + 1),
        );
        const archive = Buffer.concat([
          ...parts,
          newc('TRAILER!!!', new Uint8Array(0), 0, 0),
          Buffer.alloc(pad * 4),
        ]);
        const sink = new MemSink();
        const r = new CpioReader(sink, 0);
        let pos = 0;
        let k = 0;
        while (pos < archive.length) {
          const n = cuts[k++ % cuts.length]!;
          r.push(archive.subarray(pos, pos + n));
          pos += n;
        }
        r.end();
        assert.equal(r.archives, 1);
        assert.equal(sink.entries.length, members.length);
        sink.entries.forEach((e, i) => {
          const m = members[i]!;
          assert.equal(e.path, '/' + m.name);
          if (m.kind === 'file') assert.deepEqual(sink.bytes(e), Buffer.from(m.data));
          if (m.kind === 'symlink') assert.equal(e.target, 't' + m.data.length);
        });
      },
    ),
    { numRuns: 300 },
  );
});

test('cpio reader: random and mutated bytes end in InitrdError or parse, never anything else (fuzz)', () => {
  const base = Buffer.concat([
    newc('init', Buffer.from('#!/bin/sh\n'), 0o100755, 1),
    newc('bin/sh', Buffer.alloc(40, 1), 0o100755, 2, 2),
    newc('bin/ash', Buffer.alloc(0), 0o100755, 2, 2),
    newc('TRAILER!!!', new Uint8Array(0), 0, 0),
  ]);
  fc.assert(
    fc.property(
      fc.oneof(
        fc.uint8Array({ maxLength: 400 }),
        fc
          .array(fc.tuple(fc.nat(base.length - 1), fc.integer({ min: 0, max: 255 })), {
            minLength: 1,
            maxLength: 8,
          })
          .map((muts) => {
            const b = Buffer.from(base);
            for (const [i, v] of muts) b[i] = v;
            return new Uint8Array(b);
          }),
        fc.nat(base.length).map((n) => new Uint8Array(base.subarray(0, n))),
      ),
      (bytes) => {
        const r = new CpioReader(new MemSink(), 0);
        try {
          r.push(bytes);
          r.end();
        } catch (e) {
          assert.ok(e instanceof InitrdError, String(e));
        }
      },
    ),
    { numRuns: 2000 },
  );
});

const codecs: FixtureCompression[] = ['gzip', 'zstd', 'xz', 'lzma', 'bzip2', 'lz4-legacy', 'lz4'];
for (const c of codecs) {
  const prog = c.startsWith('lz4') ? 'lz4' : c === 'lzma' ? 'xz' : c;
  test(
    `${c} wrapper: mutated and truncated images end in a clear error or a listing (fuzz, real ${prog})`,
    { skip: hasProgram(prog) && hasProgram('cpio') ? false : `needs ${prog}`, timeout: 120_000 },
    async () => {
      const sub = fs.mkdtempSync(path.join(dir, `${c}-`));
      const plain = makeCpio(sub, [
        { path: 'init', content: '#!/bin/sh\n'.repeat(50), mode: 0o755 },
        { path: 'etc/x', content: Buffer.from(Array.from({ length: 3000 }, (_, i) => (i * 31) & 0xff)) },
      ]);
      const good = compress(plain, c);
      const cacheDir = path.join(sub, 'cache');
      let n = 0;
      await fc.assert(
        fc.asyncProperty(
          fc.oneof(
            ...mutatedImages(good),
            fc
              .uint8Array({ minLength: 1, maxLength: 200 })
              .map((r) => Buffer.concat([good.subarray(0, 6), r])),
          ),
          async (bytes) => {
            const f = path.join(sub, `img-${n++}`);
            fs.writeFileSync(f, bytes);
            try {
              const a = await openArchive(f, { cacheDir, limits: { maxTotal: 64 << 20 } });
              assert.ok(a.entries.length > 0);
            } catch (e) {
              assert.ok(e instanceof InitrdError, `${c}: ${String((e as Error).stack ?? e)}`);
            } finally {
              fs.rmSync(f);
            }
          },
        ),
        { numRuns: c === 'bzip2' || c === 'lzma' ? 40 : 120 },
      );
      // nothing but finished cache entries remains, all inside the cache dir
      if (fs.existsSync(path.join(cacheDir, 'initrd')))
        for (const e of fs.readdirSync(path.join(cacheDir, 'initrd'))) assert.ok(!e.startsWith('.tmp-'));
    },
  );
}
