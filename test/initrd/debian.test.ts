// A real Debian initramfs (mkinitramfs from initramfs-tools, built at test time for the
// installed kernel) compared entry for entry with lsinitramfs; and a Debian-shaped image with
// two early microcode archives and a 256-name busybox hardlink group.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { openArchive } from '../../server/src/initrd/archive';
import { makeInitrd } from '../fixtures/makeInitrd';
import { skipUnless } from '../nixEnv';

let dir: string;
before(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nixboot-initrd-debian-'));
});
after(() => fs.rmSync(dir, { recursive: true, force: true }));

const kernels = fs.existsSync('/lib/modules')
  ? fs.readdirSync('/lib/modules').filter((v) => fs.existsSync(`/lib/modules/${v}/modules.order`))
  : [];

test(
  'real mkinitramfs image: same entries, types and sizes as lsinitramfs / cpio (real mkinitramfs)',
  {
    skip:
      skipUnless('mkinitramfs', 'lsinitramfs') ||
      (kernels.length ? false : 'no kernel modules installed (linux-image-*)'),
    timeout: 300_000,
  },
  async () => {
    const img = path.join(dir, 'initrd.img');
    const r = spawnSync('mkinitramfs', ['-o', img, kernels[0]!], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const a = await openArchive(img, { cacheDir: path.join(dir, 'cache') });
    const listed = spawnSync('lsinitramfs', ['-l', img], { encoding: 'utf8', maxBuffer: 1 << 28 })
      .stdout.split('\n')
      .filter(Boolean);
    // lsinitramfs -l prints `ls -l`-style lines: mode links owner group size month day time name [-> target]
    const expected = new Map<string, { type: string; size: number }>();
    for (const line of listed) {
      const m = /^(\S)\S{9}\s+\d+\s+\S+\s+\S+\s+(\d+)\s+\S+\s+\d+\s+\S+\s+(.*?)(?: -> .*)?$/.exec(line);
      if (!m) continue;
      const name = m[3] === '.' ? '/' : '/' + m[3]!.replace(/^\.\//, '');
      const type = { '-': 'file', d: 'dir', l: 'symlink', c: 'char', b: 'block', p: 'fifo', s: 'socket' }[
        m[1]!
      ]!;
      expected.set(name, { type, size: Number(m[2]) });
    }
    assert.ok(expected.size > 100, `lsinitramfs listed ${expected.size} entries`);
    const got = new Map(a.entries.map((e) => [e.path, e]));
    assert.deepEqual([...got.keys()].sort(), [...expected.keys()].sort());
    for (const [p, exp] of expected) {
      const e = got.get(p)!;
      assert.equal(e.type, exp.type, p);
      if (exp.type === 'file' && exp.size > 0) assert.equal(e.size, exp.size, p);
    }
    // file bytes equal the ones cpio extracts
    const conf = spawnSync(
      'sh',
      ['-c', `zstd -dc < "$1" | cpio -i --quiet --to-stdout conf/initramfs.conf`, 'sh', img],
      { maxBuffer: 1 << 24 },
    );
    if (conf.status === 0 && a.segments[0]!.compression === 'zstd')
      assert.deepEqual(await a.readFile('/conf/initramfs.conf'), conf.stdout);
    assert.ok(a.get(`/usr/lib/modules/${kernels[0]}`) ?? a.get(`/lib/modules/${kernels[0]}`));
  },
);

test(
  'Debian-shaped image: two early microcode cpios, 512-byte alignment, busybox with 256 hardlinks (real cpio, zstd, busybox)',
  { skip: skipUnless('cpio', 'zstd', 'busybox') },
  async () => {
    const busybox = fs.readFileSync(
      fs.realpathSync(spawnSync('sh', ['-c', 'command -v busybox'], { encoding: 'utf8' }).stdout.trim()),
    );
    const applets = Array.from({ length: 255 }, (_, i) => ({
      path: `bin/applet${i}`,
      type: 'hardlink' as const,
      target: 'bin/busybox',
    }));
    const file = await makeInitrd({
      dir: path.join(dir, 'shaped'),
      segments: [
        {
          compression: 'none',
          files: [
            { path: 'kernel/x86/microcode', type: 'dir' },
            { path: 'kernel/x86/microcode/AuthenticAMD.bin', content: Buffer.alloc(3000, 0xaa) },
          ],
          padTo: 512,
        },
        {
          compression: 'none',
          files: [
            { path: 'kernel/x86/microcode/.enuineIntel.align.0123456789abc', content: '' },
            { path: 'kernel/x86/microcode/GenuineIntel.bin', content: Buffer.alloc(5000, 0x1e) },
          ],
          padTo: 512,
        },
        {
          compression: 'zstd',
          files: [
            { path: 'bin/busybox', content: busybox, mode: 0o755 },
            ...applets,
            { path: 'init', content: '#!/bin/sh\n', mode: 0o755 },
          ],
          padTo: 512,
        },
      ],
    });
    const a = await openArchive(file, { cacheDir: path.join(dir, 'cache') });
    assert.deepEqual(
      a.segments.map((s) => [s.compression, s.offset % 512]),
      [
        ['none', 0],
        ['none', 0],
        ['zstd', 0],
      ],
    );
    assert.equal((await a.readFile('/kernel/x86/microcode/GenuineIntel.bin')).length, 5000);
    for (const p of ['/bin/applet0', '/bin/applet254', '/bin/busybox'])
      assert.equal(a.get(p)!.size, busybox.length, p);
    assert.deepEqual(await a.readFile('/bin/applet7'), busybox);
  },
);
