import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { hashPathCommand, storePathCommand } from '../../server/src/cli/nar';
import { fixedOutputPath, formatHash, fromNix32, parseSha256, toNix32 } from '../../server/src/nar/encoding';
import { SLOT } from '../../server/src/nar/hashRing';
import { dumpPath, hashPath, NarFormatError, parseNar } from '../../server/src/nar/nar';
import { nixEnv, skipUnless } from '../nixEnv';
import { runCommand } from './cliHelper';

const tmp = mkdtempSync(join(tmpdir(), 'nixboot-nar-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

/** A tree with the awkward cases: symlinks (dangling, absolute, to dirs), exec bits, empty files and dirs, unicode and byte-order names. */
function awkwardTree(root: string): string {
  mkdirSync(root, { recursive: true });
  writeFileSync(join(root, 'empty'), '');
  writeFileSync(join(root, 'seven'), '1234567');
  writeFileSync(join(root, 'eight'), '12345678');
  writeFileSync(join(root, 'run.sh'), '#!/bin/sh\necho hi\n');
  chmodSync(join(root, 'run.sh'), 0o755);
  writeFileSync(join(root, 'group-exec-only'), 'x');
  chmodSync(join(root, 'group-exec-only'), 0o654);
  mkdirSync(join(root, 'emptydir'));
  mkdirSync(join(root, 'foo'));
  writeFileSync(join(root, 'foo.txt'), 'sorted before foo/ in git, after in NAR');
  writeFileSync(join(root, 'foo', 'bar'), 'bar');
  writeFileSync(join(root, 'Zeta'), 'upper case sorts first');
  writeFileSync(join(root, 'é-accent'), 'unicode');
  writeFileSync(join(root, 'ﬀ-ligature'), 'unicode beyond BMP-ish ordering');
  writeFileSync(join(root, '😀'), 'astral: UTF-16 order differs from byte order');
  writeFileSync(join(root, 'big'), Buffer.alloc(3 * 1024 * 1024 + 5, 7));
  writeFileSync(join(root, 'huge'), Buffer.alloc(9 * 1024 * 1024 + 3, 9)); // more than the 8 MiB ring
  symlinkSync('does/not/exist', join(root, 'dangling'));
  symlinkSync('/etc/passwd', join(root, 'absolute'));
  symlinkSync('foo', join(root, 'dirlink'));
  return root;
}

function nixHash(p: string, flag = ''): string {
  const r = spawnSync('nix', ['hash', 'path', ...(flag ? [flag] : []), p], {
    env: nixEnv(),
    encoding: 'utf8',
  });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

test('nix32 round trip and known vectors', () => {
  const h = parseSha256('sha256-TCQmzlnaEAEaS0rG3/3YOs7JFLcjPV0xHI2CcJHvj4s=');
  assert.equal(toNix32(h), '12wgxy8p10ld3hqmsg93nwackkisv3yxzija9cd0246sb772c92c');
  assert.deepEqual(fromNix32('12wgxy8p10ld3hqmsg93nwackkisv3yxzija9cd0246sb772c92c', 32), h);
  assert.deepEqual(parseSha256('4c2426ce59da10011a4b4ac6dffdd83acec914b7233d5d311c8d827091ef8f8b'), h);
  assert.deepEqual(parseSha256('sha256:12wgxy8p10ld3hqmsg93nwackkisv3yxzija9cd0246sb772c92c'), h);
  assert.throws(() => parseSha256('sha512-abc'), /only sha256/);
  assert.throws(() => parseSha256('sha256-short'), /not a valid SRI/);
  assert.throws(() => parseSha256('e'.repeat(52)), /invalid character/);
});

test('NAR parser reads what the writer writes and rejects damage', async () => {
  const root = join(tmp, 'roundtrip');
  mkdirSync(join(root, 'd'), { recursive: true });
  writeFileSync(join(root, 'd', 'f'), 'abc');
  chmodSync(join(root, 'd', 'f'), 0o755);
  symlinkSync('d/f', join(root, 'l'));
  const chunks: Buffer[] = [];
  await dumpPath(root, (c) => chunks.push(Buffer.from(c)));
  const nar = Buffer.concat(chunks);
  const entries = parseNar(nar);
  assert.deepEqual(
    entries.map((e) => [e.path, e.type]),
    [
      ['', 'directory'],
      ['d', 'directory'],
      ['d/f', 'regular'],
      ['l', 'symlink'],
    ],
  );
  const f = entries[2]!;
  assert.ok(
    f.type === 'regular' && f.executable && nar.subarray(f.offset, f.offset + f.size).toString() === 'abc',
  );
  assert.throws(() => parseNar(nar.subarray(0, nar.length - 8)), NarFormatError);
  const bad = Buffer.from(nar);
  bad[20] = 0x41;
  assert.throws(() => parseNar(bad), NarFormatError);
  assert.throws(() => parseNar(Buffer.concat([nar, Buffer.alloc(8)])), /trailing/);
});

test('hash-path equals nix hash path on awkward trees (real nix)', { skip: skipUnless('nix') }, async () => {
  const root = awkwardTree(join(tmp, 'awkward'));
  for (const [base, flag] of [
    ['sri', ''],
    ['base16', '--base16'],
    ['nix32', '--base32'],
    ['base64', '--base64'],
  ] as const) {
    const r = await runCommand(hashPathCommand, ['--base', base, root]);
    assert.equal(r.code, 0, r.err);
    assert.equal(r.out, nixHash(root, flag), base);
  }
  // single files, symlinks and empty dirs as roots, hashed here and on the hashing thread
  for (const p of ['', 'empty', 'run.sh', 'dangling', 'emptydir', 'big', 'huge', 'foo']) {
    for (const thread of [false, true]) {
      const { hash } = await hashPath(join(root, p), { thread });
      assert.equal(`${formatHash(hash, 'sri')}\n`, nixHash(join(root, p)), `${p} (thread ${thread})`);
    }
  }
});

test(
  'hash-path through the shared-buffer ring: NARs ending on, before and after slot edges (real nix)',
  { skip: skipUnless('nix') },
  async () => {
    // NAR framing of a file root: 13+pad magic … the contents start at byte 96 (plain) / 128 (exec).
    const S = SLOT;
    const dir = join(tmp, 'edges');
    mkdirSync(dir);
    for (const n of [S - 96 - 16, S - 96 - 16 - 1, S - 96 - 16 + 1, S, 4 * S, 4 * S + 1, 5 * S - 7]) {
      const f = join(dir, `f${n}`);
      writeFileSync(f, Buffer.alloc(n, n & 0xff));
      const { hash, narSize } = await hashPath(f, { thread: true });
      assert.equal(`${formatHash(hash, 'sri')}\n`, nixHash(f), `${n} bytes`);
      assert.equal(narSize, 96 + n + ((8 - (n % 8)) % 8) + 16);
    }
    // many small files crossing slot edges everywhere, and more data than the ring holds
    const many = join(tmp, 'many');
    for (let i = 0; i < 700; i++) {
      mkdirSync(join(many, `d${i % 13}`), { recursive: true });
      writeFileSync(join(many, `d${i % 13}`, `f${i}`), Buffer.alloc(17 * i + 3, i & 0xff), {
        mode: i % 3 ? 0o644 : 0o755,
      });
    }
    for (const thread of [true, false])
      assert.equal(
        `${formatHash((await hashPath(many, { thread })).hash, 'sri')}\n`,
        nixHash(many),
        `thread ${thread}`,
      );
  },
);

test('hash-path on the hashing thread: special files, cancellation and exclusions fail or work cleanly', async () => {
  const root = join(tmp, 'special');
  mkdirSync(join(root, 'a'), { recursive: true });
  writeFileSync(join(root, 'a', 'big'), Buffer.alloc(12 * 1024 * 1024, 1));
  const fifo = spawnSync('mkfifo', [join(root, 'z-fifo')]);
  if (fifo.status === 0)
    await assert.rejects(
      hashPath(root, { thread: true }),
      /z-fifo is a FIFO \(named pipe\): a NAR holds only regular files/,
    );
  const ac = new AbortController();
  ac.abort();
  await assert.rejects(hashPath(join(root, 'a'), { thread: true, signal: ac.signal }), /cancelled/);
  const skip = (p: string) => p === 'z-fifo';
  const a = await hashPath(root, { thread: true, exclude: skip });
  const b = await hashPath(root, { thread: false, exclude: skip });
  assert.deepEqual(a, b);
  await assert.rejects(hashPath(join(root, 'missing'), { thread: true }), /ENOENT/);
});

test('non-UTF-8 file names hash like nix (real nix)', { skip: skipUnless('nix') }, async () => {
  const root = join(tmp, 'latin1');
  mkdirSync(root);
  writeFileSync(Buffer.from([...Buffer.from(root + '/'), 0xe9, 0x41]), 'latin-1 name');
  writeFileSync(join(root, 'A'), 'a');
  const r = await runCommand(hashPathCommand, [root]);
  assert.equal(r.out, nixHash(root));
});

test(
  'store paths equal nix-store --add-fixed --recursive sha256 and --print-fixed-path (real nix)',
  { skip: skipUnless('nix-store') },
  async () => {
    const storeRoot = join(tmp, 'store-root');
    const src = join(tmp, 'source');
    mkdirSync(join(src, 'sub'), { recursive: true });
    writeFileSync(join(src, 'sub', 'x'), 'x\n');
    const env = nixEnv({ NIX_REMOTE: `local?root=${storeRoot}` });
    const added = spawnSync('nix-store', ['--add-fixed', '--recursive', 'sha256', src], {
      env,
      encoding: 'utf8',
    });
    assert.equal(added.status, 0, added.stderr);
    const r = await runCommand(hashPathCommand, ['--store-path', src]);
    assert.equal(r.code, 0, r.err);
    assert.equal(r.out.split('\t')[1]!.trim(), added.stdout.trim());
    const { hash } = await hashPath(src);
    for (const [name, recursive] of [
      ['source', true],
      ['hello-1.0.tar.gz', false],
      ['nixpkgs', true],
    ] as const) {
      const args = [
        '--print-fixed-path',
        ...(recursive ? ['--recursive'] : []),
        'sha256',
        formatHash(hash, 'base16'),
        name,
      ];
      const p = spawnSync('nix-store', args, { env, encoding: 'utf8' });
      assert.equal(p.status, 0, p.stderr);
      assert.equal(fixedOutputPath(hash, name, recursive), p.stdout.trim());
    }
    const sp = await runCommand(storePathCommand, [formatHash(hash, 'sri')]);
    assert.equal(sp.out.trim(), added.stdout.trim());
    const bad = await runCommand(storePathCommand, ['--name', '.bad', formatHash(hash, 'sri')]);
    assert.equal(bad.code, 2);
  },
);

test('hash-path reports missing paths and special files clearly', async () => {
  const r = await runCommand(hashPathCommand, [join(tmp, 'nope')]).catch((e: Error) => ({
    code: 2,
    out: '',
    err: e.message,
  }));
  assert.match(r.err, /ENOENT|no such file/);
  const u = await runCommand(hashPathCommand, ['--base', 'hex', tmp]);
  assert.equal(u.code, 2);
  assert.match(u.err, /unknown base/);
});
