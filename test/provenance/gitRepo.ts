// Builds real git repositories for provenance tests.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export function git(repo: string, args: string[], env: NodeJS.ProcessEnv = {}): string {
  const r = spawnSync('git', ['-C', repo, ...args], {
    encoding: 'utf8',
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: 't',
      GIT_AUTHOR_EMAIL: 't@t',
      GIT_COMMITTER_NAME: 't',
      GIT_COMMITTER_EMAIL: 't@t',
      ...env,
    },
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/**
 * A repository with `commits` commits on main (commit i at time base+i*60) and a side branch;
 * trees have awkward entries (foo.txt vs foo/, exec bits, symlinks, a submodule gitlink).
 */
export function makeRepo(dir: string, commits: number, base = 1_700_000_000): string {
  mkdirSync(dir, { recursive: true });
  git(dir, ['init', '-q', '-b', 'main']);
  mkdirSync(join(dir, 'foo'), { recursive: true });
  mkdirSync(join(dir, 'lib', 'deep'), { recursive: true });
  for (let k = 0; k < 20; k++)
    writeFileSync(join(dir, 'lib', 'deep', `f${k}.txt`), `static ${k}\n`.repeat(500));
  writeFileSync(join(dir, 'foo.txt'), 'foo.txt\n');
  writeFileSync(join(dir, 'foo', 'x'), 'x\n');
  writeFileSync(join(dir, 'run.sh'), '#!/bin/sh\n');
  chmodSync(join(dir, 'run.sh'), 0o755);
  symlinkSync('foo/x', join(dir, 'link'));
  symlinkSync('missing', join(dir, 'dangling'));
  writeFileSync(join(dir, 'é.txt'), 'unicode\n');
  for (let i = 0; i < commits; i++) {
    writeFileSync(join(dir, 'zz-counter'), `${i}\n`);
    if (i % 7 === 3) writeFileSync(join(dir, 'foo', `n${i}`), `${i}\n`);
    git(dir, ['add', '-A']);
    const date = `@${base + i * 60} +0000`;
    git(dir, ['commit', '-q', '-m', `commit ${i}`], { GIT_COMMITTER_DATE: date, GIT_AUTHOR_DATE: date });
  }
  git(dir, ['checkout', '-q', '-b', 'side', 'HEAD~1']);
  writeFileSync(join(dir, 'side-only'), 'side\n');
  git(dir, ['add', '-A']);
  const d = `@${base + commits * 60 + 5} +0000`;
  git(dir, ['commit', '-q', '-m', 'side commit'], { GIT_COMMITTER_DATE: d, GIT_AUTHOR_DATE: d });
  git(dir, ['checkout', '-q', 'main']);
  return dir;
}

/** Adds a submodule gitlink (mode 160000) without a real submodule checkout. */
export function addGitlink(dir: string, path: string): void {
  git(dir, ['update-index', '--add', '--cacheinfo', `160000,${'1'.repeat(40)},${path}`]);
  git(dir, ['commit', '-q', '-m', 'gitlink'], { GIT_COMMITTER_DATE: '@1800000000 +0000' });
}

/** Checks a commit out into a fresh directory (git archive | tar), no .git. */
export function exportCommit(repo: string, rev: string, dest: string): string {
  rmSync(dest, { recursive: true, force: true });
  mkdirSync(dest, { recursive: true });
  const tar = spawnSync('git', ['-C', repo, 'archive', rev], { maxBuffer: 256 * 1024 * 1024 });
  const x = spawnSync('tar', ['-x', '-C', dest], { input: tar.stdout });
  if (x.status !== 0) throw new Error(String(x.stderr));
  return dest;
}

export function lockFor(nodes: Record<string, unknown>, version = 7): string {
  return JSON.stringify(
    {
      nodes: { root: { inputs: Object.fromEntries(Object.keys(nodes).map((k) => [k, k])) }, ...nodes },
      root: 'root',
      version,
    },
    null,
    2,
  );
}
