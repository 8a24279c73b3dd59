// The bundled CLI as installed: dist/cli.js starts dist/cli-nar.js for hash-path/store-path and
// dist/cli-lock.js for lock. Needs `npm run build` (CI builds before testing).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { nixEnv, skipUnless } from '../nixEnv';

const DIST = new URL('../../dist/', import.meta.url).pathname;
const CLI = join(DIST, 'cli.js');
const built = existsSync(join(DIST, 'cli-nar.js')) && existsSync(join(DIST, 'cli-lock.js'));
const tmp = mkdtempSync(join(tmpdir(), 'nixboot-bundle-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

function nixboot(args: string[], opts: { shell?: string } = {}) {
  const r = opts.shell
    ? spawnSync('sh', ['-c', `"${process.execPath}" "${CLI}" ${args.join(' ')} ${opts.shell}`], {
        encoding: 'utf8',
      })
    : spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

test(
  'bundled hash-path (hashing thread for a 20 MiB tree) prints what nix hash path prints; errors are one line (real nix)',
  { skip: !built ? 'run npm run build first' : skipUnless('nix') },
  () => {
    const root = join(tmp, 'tree');
    mkdirSync(join(root, 'd'), { recursive: true });
    writeFileSync(join(root, 'd', 'big'), Buffer.alloc(20 * 1024 * 1024 + 3, 5));
    for (let i = 0; i < 50; i++) writeFileSync(join(root, `f${i}`), `file ${i}\n`.repeat(i * 100));
    const nix = spawnSync('nix', ['hash', 'path', root], { env: nixEnv(), encoding: 'utf8' });
    assert.equal(nix.status, 0, nix.stderr);
    const r = nixboot(['hash-path', root]);
    assert.equal(r.code, 0, r.err);
    assert.equal(r.out, nix.stdout);
    const missing = nixboot(['hash-path', join(tmp, 'nope')]);
    assert.equal(missing.code, 2);
    assert.match(missing.err, /^nixboot hash-path: ENOENT[^\n]*\n$/);
    const help = nixboot(['store-path', '--help']);
    assert.equal(help.code, 0);
    assert.match(help.out, /^Usage: nixboot store-path/);
  },
);

test(
  'bundled CLI: lock usage errors are one line; a closed output pipe ends hash-path quietly',
  { skip: !built ? 'run npm run build first' : false },
  () => {
    const usage = nixboot(['lock', 'find-rev', '--lock', join(tmp, 'none.lock'), 'x']);
    assert.equal(usage.code, 2);
    assert.match(usage.err, /^nixboot lock: /);
    assert.doesNotMatch(usage.err, /\n\s+at /, 'no stack trace');
    // 3000 hashes (150 KB, more than a pipe holds) into `head -c 1`, which exits at once
    const one = join(tmp, 'one');
    writeFileSync(one, 'x');
    const piped = nixboot(['hash-path', ...Array<string>(3000).fill(one), '2>', join(tmp, 'err')], {
      shell: '| head -c 1',
    });
    assert.equal(piped.code, 0);
    assert.equal(piped.out, 's');
    assert.doesNotMatch(readFileSync(join(tmp, 'err'), 'utf8'), /EPIPE|\n\s+at /);
  },
);
