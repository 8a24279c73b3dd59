// The initrd cache is private: another local user can neither plant nor read anything in it.
// (Issue 13, items 3 and 4: a shared /tmp cache let another user forge /init through a planted
// index.json and make root's eviction delete directories through a planted symlink; decompressed
// initrds were cached 0644, so a 0600 host key in an initrd became readable by everyone.)
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { cacheKey, openArchive } from '../../server/src/initrd/archive';
import { defaultCacheDir, privateCacheDir } from '../../server/src/initrd/cacheDir';
import { runCli } from '../../server/src/cli/main';
import { makeInitrd } from '../fixtures/makeInitrd';
import { skipUnless } from '../nixEnv';

let dir: string;
let image: string;
const isRoot = process.getuid?.() === 0;
const OTHER_UID = 65534; // nobody

before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nixboot-cache-test-'));
  image = await makeInitrd({
    dir,
    segments: [
      {
        compression: 'gzip',
        files: [
          { path: 'init', content: '#!/bin/sh\necho real\n', mode: 0o755 },
          { path: 'etc/ssh/ssh_host_ed25519_key', content: 'SECRET KEY\n', mode: 0o600 },
        ],
      },
    ],
  });
});
after(() => fs.rmSync(dir, { recursive: true, force: true }));

const mode = (p: string) => fs.lstatSync(p).mode & 0o7777;

/** Every directory under `root` is 0700 and every file 0600. */
function assertPrivate(root: string): void {
  assert.equal(mode(root), 0o700, root);
  for (const name of fs.readdirSync(root, { recursive: true }) as string[]) {
    const p = path.join(root, name);
    const st = fs.lstatSync(p);
    assert.equal(
      st.mode & 0o777,
      st.isDirectory() ? 0o700 : 0o600,
      `${p} is ${(st.mode & 0o777).toString(8)}`,
    );
  }
}

/** Plants, as an attacker would, an index whose /init is a forged script, for `image` under `cacheDir`. */
function plantForgedIndex(cacheDir: string): void {
  const key = cacheKey(image, fs.statSync(image));
  const d = path.join(cacheDir, 'initrd', key);
  fs.mkdirSync(d, { recursive: true });
  const forged = '#!/bin/sh\necho forged\n';
  fs.writeFileSync(path.join(d, 'data'), forged);
  fs.writeFileSync(
    path.join(d, 'index.json'),
    JSON.stringify({
      version: 1,
      file: image,
      fileSize: fs.statSync(image).size,
      segments: [],
      entries: [
        {
          path: '/init',
          type: 'file',
          size: forged.length,
          mode: 0o755,
          uid: 0,
          gid: 0,
          mtime: 0,
          dataOffset: 0,
          segment: 0,
        },
      ],
    }),
  );
}

test(
  'decompressed data is cached 0600 in 0700 directories, and an old 0755 cache directory is tightened (gzip, JS path)',
  { skip: skipUnless('cpio', 'gzip') },
  async () => {
    const cache = path.join(dir, 'modes');
    fs.mkdirSync(path.join(cache, 'initrd'), { recursive: true, mode: 0o755 });
    fs.chmodSync(cache, 0o755);
    fs.chmodSync(path.join(cache, 'initrd'), 0o755);
    const old = process.umask(0o022);
    try {
      const a = await openArchive(image, { cacheDir: cache });
      assert.equal((await a.readFile('/etc/ssh/ssh_host_ed25519_key')).toString(), 'SECRET KEY\n');
    } finally {
      process.umask(old);
    }
    assertPrivate(cache);
  },
);

test(
  'the native decoder path writes its cache file 0600 too (zstd)',
  { skip: skipUnless('cpio', 'zstd') },
  async () => {
    const sub = path.join(dir, 'native');
    const img = await makeInitrd({
      dir: sub,
      segments: [
        {
          compression: 'zstd',
          files: [
            { path: 'init', content: '#!/bin/sh\n', mode: 0o755 },
            { path: 'key', content: 'SECRET\n', mode: 0o600 },
          ],
        },
      ],
    });
    const cache = path.join(sub, 'cache');
    const old = process.umask(0o022);
    try {
      const a = await openArchive(img, { cacheDir: cache, nativeMinSize: 0 });
      assert.equal(a.segments[0]!.compression, 'zstd');
      assert.equal((await a.readFile('/key')).toString(), 'SECRET\n');
    } finally {
      process.umask(old);
    }
    assertPrivate(cache);
  },
);

test(
  'a cache directory owned by another user is refused: its planted index.json cannot forge /init',
  { skip: !isRoot ? 'needs root to create a directory owned by another user' : skipUnless('cpio', 'gzip') },
  async () => {
    const cache = path.join(dir, 'planted');
    plantForgedIndex(cache);
    for (const p of [
      cache,
      path.join(cache, 'initrd'),
      ...fs.readdirSync(path.join(cache, 'initrd')).map((k) => path.join(cache, 'initrd', k)),
    ])
      fs.chownSync(p, OTHER_UID, OTHER_UID);
    fs.chmodSync(cache, 0o777);
    const warnings: string[] = [];
    const a = await openArchive(image, { cacheDir: cache, onWarning: (m) => warnings.push(m) });
    assert.equal((await a.readFile('/init')).toString(), '#!/bin/sh\necho real\n');
    assert.equal(a.cached, false);
    assert.equal(warnings.length, 1);
    assert.match(
      warnings[0]!,
      /cache directory refused: .*planted belongs to uid 65534.*private temporary directory/,
    );
    assert.equal(
      fs.readdirSync(path.join(cache, 'initrd')).length,
      1,
      'nothing written into the other user’s directory',
    );
  },
);

test(
  'a symlinked cache directory is refused, and eviction never follows a planted "initrd" symlink',
  { skip: skipUnless('cpio', 'gzip') },
  async () => {
    const sub = path.join(dir, 'symlinks');
    // the victim: directories the cache must never delete
    const victim = path.join(sub, 'victim');
    for (const d of ['etc', 'home', 'keys']) {
      fs.mkdirSync(path.join(victim, d), { recursive: true });
      fs.writeFileSync(path.join(victim, d, 'file'), Buffer.alloc(10_000, 1));
    }
    // 1. the cache's initrd directory is a symlink to the victim
    const cache1 = path.join(sub, 'cache1');
    fs.mkdirSync(cache1, { mode: 0o700 });
    fs.symlinkSync(victim, path.join(cache1, 'initrd'));
    const warnings: string[] = [];
    await openArchive(image, { cacheDir: cache1, cacheLimit: 1, onWarning: (m) => warnings.push(m) });
    assert.deepEqual(
      fs.readdirSync(victim).sort(),
      ['etc', 'home', 'keys'],
      'eviction deleted the victim’s directories',
    );
    assert.match(warnings.join('\n'), /initrd is a symbolic link/);
    // 2. the cache directory itself is a symlink
    const cache2 = path.join(sub, 'cache2');
    fs.symlinkSync(victim, cache2);
    warnings.length = 0;
    await openArchive(image, { cacheDir: cache2, cacheLimit: 1, onWarning: (m) => warnings.push(m) });
    assert.match(warnings.join('\n'), /cache2 is a symbolic link/);
    assert.deepEqual(fs.readdirSync(victim).sort(), ['etc', 'home', 'keys']);
    // 3. a symlink planted inside our own cache is removed itself, never followed
    const cache3 = path.join(sub, 'cache3');
    fs.mkdirSync(path.join(cache3, 'initrd'), { recursive: true, mode: 0o700 });
    fs.symlinkSync(victim, path.join(cache3, 'initrd', '0123456789abcdef0123456789abcdef'));
    await openArchive(image, { cacheDir: cache3, cacheLimit: 1 });
    assert.deepEqual(fs.readdirSync(victim).sort(), ['etc', 'home', 'keys']);
    for (const d of ['etc', 'home', 'keys'])
      assert.equal(fs.readFileSync(path.join(victim, d, 'file')).length, 10_000);
    assert.equal(
      fs.readdirSync(path.join(cache3, 'initrd')).length,
      1,
      'the planted symlink is gone, the image stays',
    );
  },
);

test('the default cache directory is the XDG one (a relative XDG_CACHE_HOME is ignored); without a home, a private temporary one', () => {
  assert.equal(defaultCacheDir({ XDG_CACHE_HOME: '/x/cache', HOME: '/home/u' }), '/x/cache/nixboot');
  assert.equal(defaultCacheDir({ XDG_CACHE_HOME: 'rel/cache', HOME: '/home/u' }), '/home/u/.cache/nixboot');
  assert.equal(defaultCacheDir({ HOME: '/home/u' }), '/home/u/.cache/nixboot');
  assert.equal(defaultCacheDir({ NIXBOOT_CACHE_DIR: '/c', HOME: '/home/u' }), '/c');
  const t = privateCacheDir(undefined);
  assert.equal(t.refused, undefined);
  assert.equal(mode(t.dir), 0o700);
  assert.ok(t.dir.startsWith(os.tmpdir()) && !/nixboot-cache-\d+$/.test(t.dir), t.dir);
});

test(
  'CLI: a refused cache directory is a one-line warning, and the command still works',
  { skip: !isRoot ? 'needs root' : skipUnless('cpio', 'gzip') },
  async () => {
    const cache = path.join(dir, 'cli-planted');
    plantForgedIndex(cache);
    fs.chownSync(cache, OTHER_UID, OTHER_UID);
    let out = '';
    let err = '';
    const code = await runCli(['initrd', 'cat', image, '/init'], {
      cwd: dir,
      env: { ...process.env, NIXBOOT_CACHE_DIR: cache },
      out: (t) => void (out += t),
      outBytes: async (b) => void (out += Buffer.from(b).toString()),
      err: (t) => void (err += t),
      signal: new AbortController().signal,
    });
    assert.equal(code, 0, err);
    assert.equal(out, '#!/bin/sh\necho real\n');
    assert.match(err, /^nixboot: warning: cache directory refused: .*belongs to uid 65534.*\n$/);
  },
);
