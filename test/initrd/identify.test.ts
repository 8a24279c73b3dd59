// Which files are initrds (first bytes only) and what they are called. Pure: no tool spawned.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { test } from 'node:test';
import {
  labelImage,
  olderFirst,
  readHead,
  sniffImage,
  type ImageLabel,
} from '../../server/src/initrd/identify';

const cpio = Buffer.from('070701' + '0'.repeat(104) + 'etc\0', 'latin1');
const bytes = (...b: number[]) => Buffer.from([...b, ...new Array(64).fill(0x41)]);
const tarball = Buffer.alloc(1024);
tarball.write('etc/hosts', 0);
tarball.write('ustar', 257);

const CASES: [string, Uint8Array, string | undefined][] = [
  ['uncompressed cpio', cpio, 'cpio'],
  [
    'gzip of a cpio archive',
    zlib.gzipSync(Buffer.concat([cpio, Buffer.alloc(20000, 0x61)])).subarray(0, 4096),
    'gzip',
  ],
  ['gzip of a tarball (a .tar.gz is no initrd)', zlib.gzipSync(tarball), undefined],
  ['zstd', bytes(0x28, 0xb5, 0x2f, 0xfd), 'zstd'],
  ['xz', bytes(0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00), 'xz'],
  ['lzma-alone with an 8 MiB dictionary', bytes(0x5d, 0x00, 0x00, 0x80, 0x00), 'lzma'],
  ['5d 00 00 without a dictionary size', bytes(0x5d, 0x00, 0x00, 0x00, 0x00), undefined],
  ['bzip2', bytes(0x42, 0x5a, 0x68, 0x39), 'bzip2'],
  ['lz4 legacy', bytes(0x02, 0x21, 0x4c, 0x18), 'lz4-legacy'],
  ['lz4 frame', bytes(0x04, 0x22, 0x4d, 0x18), 'lz4'],
  [
    'PE image with a .linux section (UKI)',
    Buffer.concat([
      Buffer.from('MZ'),
      Buffer.alloc(300),
      Buffer.from('.linux\0\0', 'latin1'),
      Buffer.alloc(40),
    ]),
    'uki',
  ],
  [
    'Windows program (MZ without .linux)',
    Buffer.concat([Buffer.from('MZ'), Buffer.alloc(300), Buffer.from('.text\0\0\0', 'latin1')]),
    undefined,
  ],
  ['Nix source', Buffer.from('{ config, pkgs, ... }:\n{\n  boot.initrd.enable = true;\n}\n'), undefined],
  ['too short', Buffer.from('0707'), undefined],
  ['empty', Buffer.alloc(0), undefined],
];

for (const [name, head, expected] of CASES) {
  test(`sniffImage: ${name} → ${expected ?? 'not an initrd'}`, () => {
    assert.equal(sniffImage(head), expected);
  });
}

test('readHead reads at most 4 KiB of regular files, and nothing of directories or missing files', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nixboot-identify-'));
  try {
    fs.writeFileSync(path.join(dir, 'big'), Buffer.alloc(10_000, 1));
    assert.equal(readHead(path.join(dir, 'big'))?.length, 4096);
    assert.equal(readHead(dir), undefined);
    assert.equal(readHead(path.join(dir, 'missing')), undefined);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('labels say which image is which: generation, kernel, date', () => {
  const gen3 = labelImage({
    file: '/nix/store/x-initrd-linux-6.12.59/initrd',
    generations: [{ generation: 3, kernelVersion: '6.12.59', date: '2026-11-22T10:00:00Z' }],
  });
  assert.equal(gen3.name, 'gen 3 · Linux 6.12.59 · 2026-11-22');
  assert.equal(gen3.title, 'initrd: gen 3 · Linux 6.12.59 · 2026-11-22');
  // One file booted by two generations: both named, dated by the one that built it.
  const shared = labelImage({
    file: '/x/initrd',
    generations: [
      { generation: 3, kernelVersion: '6.12.59', date: '2026-11-22' },
      { generation: 2, kernelVersion: '6.12.59', date: '2026-11-20' },
    ],
  });
  assert.equal(shared.name, 'gen 2, 3 · Linux 6.12.59 · 2026-11-20');
  assert.equal(shared.generation, 3);
  // A file of no generation: its name, the kernel found inside, its date.
  assert.equal(
    labelImage({
      file: '/home/u/initrd.img',
      generations: [],
      kernelVersion: '6.1.0-18-amd64',
      mtime: '2026-12-01T08:00:00Z',
    }).name,
    'initrd.img · Linux 6.1.0-18-amd64 · 2026-12-01',
  );
  assert.equal(labelImage({ file: '/home/u/initrd', generations: [] }).name, 'initrd');
});

test('comparisons run older → newer, whichever order they were picked in', () => {
  const l = (label: Partial<ImageLabel>) => ({ label: { name: '', title: '', ...label } });
  const g2 = l({ generation: 2, date: '2026-11-22' });
  const g3 = l({ generation: 3, date: '2026-11-20' });
  assert.deepEqual(olderFirst(g3, g2), [g2, g3], 'generation numbers decide, not dates');
  assert.deepEqual(olderFirst(g2, g3), [g2, g3]);
  const a = l({ date: '2026-01-01' });
  const b = l({ date: '2026-02-01' });
  assert.deepEqual(olderFirst(b, a), [a, b]);
  assert.deepEqual(olderFirst(a, b), [a, b]);
});
