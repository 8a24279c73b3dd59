// A git tree repeating one large blob (issue 13, item 10): a repository of a few hundred KB whose
// tree has 8 entries of the same 64 MiB zero-filled blob. `nixboot lock verify` must give the NAR
// hash of `git archive | tar -x` + real `nix hash path`, with the peak RSS of the process (measured
// by /usr/bin/time -v) bounded by a constant — not by 8 × 64 MiB — loose and packed.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { nixEnv, skipUnless } from '../nixEnv';
import { git, lockFor } from './gitRepo';

const tmp = mkdtempSync(join(tmpdir(), 'nixboot-bigblob-'));
after(() => rmSync(tmp, { recursive: true, force: true }));
const CLI = new URL('../../dist/cli.js', import.meta.url).pathname;
const MiB = 1024 * 1024;
const BLOB = 64 * MiB;
const ENTRIES = 8;
/** Peak RSS allowed for the verifying process. */
const RSS_LIMIT = 256 * MiB;

function sh(script: string, env: NodeJS.ProcessEnv = process.env): string {
  const r = spawnSync('sh', ['-c', script], { encoding: 'utf8', env, maxBuffer: 16 * MiB });
  assert.equal(r.status, 0, `${script}: ${r.stderr}`);
  return r.stdout;
}

/** Runs the built CLI under /usr/bin/time -v: exit code, output, peak RSS in bytes. */
function measured(args: string[]): { code: number; out: string; rss: number } {
  const r = spawnSync('/usr/bin/time', ['-v', process.execPath, CLI, ...args], {
    encoding: 'utf8',
    maxBuffer: 16 * MiB,
  });
  const m = /Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr);
  assert.ok(m, r.stderr);
  return { code: r.status ?? -1, out: r.stdout + r.stderr, rss: Number(m[1]) * 1024 };
}

test(
  'a tree repeating one 64 MiB blob 8 times: right NAR hash, peak RSS < 256 MiB, loose and packed (real git, real nix, /usr/bin/time)',
  { skip: skipUnless('git', 'nix', 'tar', '/usr/bin/time') },
  () => {
    assert.ok(existsSync(CLI), `${CLI} is missing: run npm run build`);
    const repo = join(tmp, 'repo');
    mkdirSync(repo);
    git(repo, ['init', '-q', '-b', 'main']);
    const blob = sh(`head -c ${BLOB} /dev/zero | git -C '${repo}' hash-object -w --stdin`).trim();
    const small = sh(`printf 'small\\n' | git -C '${repo}' hash-object -w --stdin`).trim();
    const listing = [
      ...[...Array(ENTRIES).keys()].map((i) => `100644 blob ${blob}\tzero${i}.bin`),
      `100755 blob ${small}\trun.sh`,
    ].join('\n');
    const mk = spawnSync('git', ['-C', repo, 'mktree'], { input: `${listing}\n`, encoding: 'utf8' });
    assert.equal(mk.status, 0, mk.stderr);
    const tree = mk.stdout.trim();
    const env = {
      GIT_AUTHOR_NAME: 't',
      GIT_AUTHOR_EMAIL: 't@t',
      GIT_COMMITTER_NAME: 't',
      GIT_COMMITTER_EMAIL: 't@t',
      GIT_COMMITTER_DATE: '@1700000000 +0000',
    };
    const commit = git(repo, ['commit-tree', tree, '-m', 'eight big zero files'], env).trim();
    git(repo, ['update-ref', 'refs/heads/main', commit]);
    assert.equal(
      git(repo, ['ls-tree', 'HEAD'])
        .split('\n')
        .filter((l) => l.includes(blob)).length,
      ENTRIES,
    );
    // The expectation: a checkout hashed by real nix.
    const out = join(tmp, 'checkout');
    mkdirSync(out);
    sh(`git -C '${repo}' archive HEAD | tar -x -C '${out}'`);
    const expected = sh(`nix hash path '${out}'`, nixEnv()).trim();
    rmSync(out, { recursive: true, force: true });
    const lockFile = join(tmp, 'flake.lock');
    writeFileSync(
      lockFile,
      lockFor({
        big: {
          locked: { type: 'git', url: `file://${repo}`, rev: commit, narHash: expected },
          original: { type: 'git' },
        },
      }),
    );
    for (const layout of ['loose', 'packed']) {
      if (layout === 'packed') git(repo, ['gc', '-q', '--prune=now']);
      const r = measured(['lock', 'verify', '--lock', lockFile, 'big', '--git', repo]);
      assert.equal(r.code, 0, `${layout}: ${r.out}`);
      assert.match(r.out, /^verified: big/, layout);
      assert.ok(
        r.rss < RSS_LIMIT,
        `${layout}: peak RSS ${(r.rss / MiB).toFixed(0)} MiB for ${ENTRIES} × ${BLOB / MiB} MiB of one blob`,
      );
      const f = measured(['lock', 'find-rev', '--lock', lockFile, 'big', '--repo', repo]);
      assert.equal(f.code, 0, `${layout}: ${f.out}`);
      assert.ok(f.rss < RSS_LIMIT, `${layout} find-rev: peak RSS ${(f.rss / MiB).toFixed(0)} MiB`);
      process.stderr.write(
        `# ${layout}: verify peak RSS ${(r.rss / MiB).toFixed(1)} MiB, find-rev ${(f.rss / MiB).toFixed(1)} MiB\n`,
      );
    }
  },
);
