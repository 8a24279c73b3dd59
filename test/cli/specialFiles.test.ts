// FIFOs, sockets and devices where files are expected, and a `follows` cycle in flake.lock: a
// clear error, never a hang, a stack trace or a stack overflow. (Issue 13, item 11.)
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { openRegular, readRegularFile, readRegularFileSync } from '../../server/src/files';
import { runCli } from '../../server/src/cli/main';
import { FlakeLockError, parseFlakeLock } from '../../server/src/nar/flakeLock';
import { releaseFromFlakeLock } from '../../server/src/nixos/release';
import { openArchive } from '../../server/src/initrd/archive';

let dir: string;
let fifo: string;
let socket: string;
let server: net.Server;
before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nixboot-special-'));
  fifo = path.join(dir, 'pipe.nix');
  execFileSync('mkfifo', [fifo]);
  socket = path.join(dir, 'sock');
  server = net.createServer();
  await new Promise<void>((r) => server.listen(socket, r));
});
after(() => {
  server.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(args, {
    cwd: dir,
    env: { ...process.env, NIXBOOT_CACHE_DIR: path.join(dir, 'cache') },
    out: (t) => void (out += t),
    outBytes: async () => undefined,
    err: (t) => void (err += t),
    signal: new AbortController().signal,
  });
  return { code, out, err };
}

test('reading a FIFO, socket or device as a file is refused at once, and eight async reads leave the file-I/O pool free', async () => {
  for (const p of [fifo, socket, '/dev/null']) {
    assert.throws(
      () => readRegularFileSync(p),
      /is a (FIFO \(named pipe\)|socket|character device), not a regular file/,
    );
    await assert.rejects(readRegularFile(p), /not a regular file/);
  }
  await Promise.allSettled(Array.from({ length: 8 }, () => openRegular(fifo)));
  const t0 = Date.now();
  assert.equal((await fs.promises.readFile(new URL(import.meta.url))).length > 0, true);
  assert.ok(Date.now() - t0 < 1000);
});

test('hash-path of a FIFO, socket or device: a plain error, exit 2, no "internal error" or stack trace', async () => {
  for (const p of [fifo, socket, '/dev/null']) {
    const r = await cli(['hash-path', p]);
    assert.equal(r.code, 2, r.err);
    assert.match(
      r.err,
      /^nixboot hash-path: .* is a (FIFO \(named pipe\)|socket|character device): a NAR holds only regular files, directories and symbolic links\n$/,
    );
    assert.doesNotMatch(r.err, /internal error|\n\s+at /);
  }
  const sub = path.join(dir, 'tree');
  fs.mkdirSync(sub);
  fs.symlinkSync(fifo, path.join(sub, 'link')); // a symlink to a FIFO is only a symlink
  execFileSync('mkfifo', [path.join(sub, 'inner')]);
  const r = await cli(['hash-path', sub]);
  assert.equal(r.code, 2);
  assert.match(r.err, /inner is a FIFO/);
});

test('lint and initrd commands on a FIFO end with a clear error instead of hanging', async () => {
  const lint = await cli(['lint', fifo]);
  assert.notEqual(lint.code, 0);
  assert.match(lint.err, /not a regular file/);
  await assert.rejects(
    openArchive(fifo, { cacheDir: path.join(dir, 'cache') }),
    /FIFO \(named pipe\), not a regular file/,
  );
});

test('a `follows` cycle in flake.lock is a clear FlakeLockError, not a stack overflow', () => {
  const lock = (inputs: Record<string, unknown>) =>
    JSON.stringify({
      version: 7,
      root: 'root',
      nodes: {
        root: { inputs },
        b: {
          inputs: { c: ['a'] },
          locked: {
            type: 'github',
            owner: 'o',
            repo: 'r',
            rev: 'x',
            narHash: 'sha256-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=',
          },
        },
      },
    });
  const self = lock({ a: ['a'] });
  assert.throws(
    () => parseFlakeLock(self),
    (e: Error) => e instanceof FlakeLockError && /follow cycle detected: \[a -> a\]/.test(e.message),
  );
  const two = lock({ a: ['b', 'c'], b: 'b' });
  assert.throws(
    () => parseFlakeLock(two),
    (e: Error) =>
      e instanceof FlakeLockError && /follow cycle detected: \[b\/c -> a -> b\/c\]/.test(e.message),
  );
  // release detection reads the same file while linting: no release, no crash
  assert.equal(releaseFromFlakeLock(lock({ nixpkgs: ['nixpkgs'] })), undefined);
});
