import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { lockCommand } from '../../server/src/cli/lock';
import { formatHash } from '../../server/src/nar/encoding';
import { findInput, FlakeLockError, parseFlakeLock } from '../../server/src/nar/flakeLock';
import { hashPath } from '../../server/src/nar/nar';
import { GitObjectReader, GitTreeHasher, listCommits } from '../../server/src/system/git';
import { orderCandidates } from '../../server/src/system/provenance';
import { runCommand } from '../nar/cliHelper';
import { nixEnv, skipUnless } from '../nixEnv';
import { addGitlink, exportCommit, git, lockFor, makeRepo } from './gitRepo';

const tmp = mkdtempSync(join(tmpdir(), 'nixboot-lock-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

function nixHash(p: string): string {
  const r = spawnSync('nix', ['hash', 'path', p], { env: nixEnv(), encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim();
}

test('flake.lock versions 4–7, follows paths, store paths, bad input', () => {
  const nar = 'sha256-TCQmzlnaEAEaS0rG3/3YOs7JFLcjPV0xHI2CcJHvj4s=';
  for (const version of [4, 5, 6, 7]) {
    const text = JSON.stringify({
      nodes: {
        root: { inputs: { nixpkgs: 'nixpkgs', hm: 'hm' } },
        nixpkgs: {
          locked: {
            type: 'github',
            owner: 'NixOS',
            repo: 'nixpkgs',
            rev: 'a'.repeat(40),
            lastModified: 1,
            narHash: nar,
          },
          original: { type: 'github' },
        },
        hm: {
          inputs: { nixpkgs: ['nixpkgs'] },
          locked: { type: 'git', url: 'https://x', rev: 'b'.repeat(40), narHash: nar },
          flake: false,
        },
      },
      root: 'root',
      version,
    });
    const lock = parseFlakeLock(text);
    assert.equal(lock.version, version);
    const np = findInput(lock, 'nixpkgs');
    assert.deepEqual(np.paths.sort(), ['hm/nixpkgs', 'nixpkgs']);
    assert.equal(findInput(lock, 'hm/nixpkgs').key, 'nixpkgs');
    assert.equal(np.storePath, '/nix/store/' + np.storePath!.slice(11, 43) + '-source');
    assert.equal(findInput(lock, 'hm').flake, false);
  }
  assert.throws(() => parseFlakeLock('{'), FlakeLockError);
  assert.throws(() => parseFlakeLock('{"version":3,"nodes":{}}'), /not supported/);
  assert.throws(() => parseFlakeLock('{"version":7,"nodes":{},"root":"root"}'), /root node/);
  assert.throws(() => findInput(parseFlakeLock(lockFor({})), 'x'), /no input 'x'/);
});

test(
  'git tree NAR hash equals git archive + nix hash path, incl. gitlinks (real nix, real git)',
  { skip: skipUnless('nix', 'git', 'tar') },
  async () => {
    const repo = makeRepo(join(tmp, 'r1'), 12);
    addGitlink(repo, 'vendor/sub');
    const commits = await listCommits(repo, 100);
    assert.equal(commits.length, 14);
    const reader = new GitObjectReader(repo);
    const hasher = new GitTreeHasher(reader);
    try {
      for (const c of [commits[0]!, commits[1]!, commits[5]!, commits[13]!]) {
        const dest = exportCommit(repo, c.oid, join(tmp, 'export'));
        const { hash } = await hasher.hashTree(c.tree);
        assert.equal(formatHash(hash, 'sri'), nixHash(dest), c.subject);
        assert.equal(formatHash((await hashPath(dest)).hash, 'sri'), nixHash(dest));
      }
      assert.ok(hasher.stats.treesReused > 0, 'unchanged subtrees are reused');
      await assert.rejects(reader.read('f'.repeat(40)), /not found/);
    } finally {
      reader.close();
    }
  },
);

test(
  'lock verify: git commit, directory, mismatch (real git)',
  { skip: skipUnless('git', 'tar') },
  async () => {
    const repo = makeRepo(join(tmp, 'r2'), 6);
    const commits = await listCommits(repo, 100);
    const target = commits.find((c) => c.subject === 'commit 3')!;
    const dest = exportCommit(repo, target.oid, join(tmp, 'export2'));
    const narHash = formatHash((await hashPath(dest)).hash, 'sri');
    const lockFile = join(tmp, 'flake.lock');
    writeFileSync(
      lockFile,
      lockFor({
        src: {
          locked: { type: 'git', url: `file://${repo}`, rev: target.oid, lastModified: target.time, narHash },
          original: { type: 'git' },
        },
        other: {
          locked: {
            type: 'github',
            owner: 'o',
            repo: 'r',
            rev: commits[0]!.oid,
            lastModified: commits[0]!.time,
            narHash,
          },
          original: {},
        },
      }),
    );
    const ok = await runCommand(lockCommand, ['verify', '--lock', lockFile, 'src', '--git', repo]);
    assert.equal(ok.code, 0, ok.out + ok.err);
    assert.match(ok.out, /^verified: src/);
    assert.match(ok.out, new RegExp(target.oid));
    const dir = await runCommand(lockCommand, ['verify', '--lock', lockFile, 'src', dest]);
    assert.equal(dir.code, 0, dir.out + dir.err);
    // the working tree has .git and a later commit: .git is excluded, but content differs
    const work = await runCommand(lockCommand, ['verify', '--lock', lockFile, 'src', repo]);
    assert.equal(work.code, 1);
    assert.match(work.out, /MISMATCH[\s\S]*\.git excluded/);
    const bad = await runCommand(lockCommand, ['verify', '--lock', lockFile, 'other', '--git', repo]);
    assert.equal(bad.code, 1);
    const json = JSON.parse(
      (await runCommand(lockCommand, ['verify', '--json', '--lock', lockFile, 'src', '--git', repo])).out,
    );
    assert.equal(json.match, true);
    assert.equal(json.lastModifiedMatches, true);
    const missing = await runCommand(lockCommand, [
      'verify',
      '--lock',
      lockFile,
      'src',
      '--git',
      repo,
      '--rev',
      'nonexistent',
    ]);
    assert.equal(missing.code, 2);
    const noLock = await runCommand(lockCommand, ['verify', '--lock', join(tmp, 'none.lock'), 'src']);
    assert.equal(noLock.code, 2);
  },
);

test(
  'lock find-rev finds the commit across branches, nearest lastModified first (real git)',
  { skip: skipUnless('git', 'tar') },
  async () => {
    const repo = makeRepo(join(tmp, 'r3'), 40);
    const commits = await listCommits(repo, 1000);
    const side = commits.find((c) => c.subject === 'side commit')!;
    const early = commits.find((c) => c.subject === 'commit 2')!;
    const lockFile = join(tmp, 'flake3.lock');
    const hashOf = async (oid: string) =>
      formatHash((await hashPath(exportCommit(repo, oid, join(tmp, 'e3')))).hash, 'sri');
    writeFileSync(
      lockFile,
      lockFor({
        side: {
          locked: { type: 'git', url: 'x', lastModified: side.time, narHash: await hashOf(side.oid) },
          original: {},
        },
        early: { locked: { type: 'git', url: 'x', narHash: await hashOf(early.oid) }, original: {} },
        nowhere: {
          locked: {
            type: 'path',
            path: '/x',
            narHash: 'sha256-TCQmzlnaEAEaS0rG3/3YOs7JFLcjPV0xHI2CcJHvj4s=',
          },
          original: {},
        },
      }),
    );
    const s = await runCommand(lockCommand, ['find-rev', '--lock', lockFile, 'side', '--repo', repo]);
    assert.equal(s.code, 0, s.err);
    assert.match(s.out, new RegExp(`^${side.oid}`));
    assert.match(s.err, /considered 1 commits/);
    const e = await runCommand(lockCommand, [
      'find-rev',
      '--json',
      '--lock',
      lockFile,
      'early',
      '--repo',
      repo,
    ]);
    const ej = JSON.parse(e.out);
    assert.deepEqual(
      ej.matches.map((m: { oid: string }) => m.oid),
      [early.oid],
    );
    assert.ok(
      ej.stats.treesReused > ej.stats.treesRead,
      `reuse ${ej.stats.treesReused} vs read ${ej.stats.treesRead}`,
    );
    assert.ok(ej.stats.prefixBytesReused > 0, 'SHA-256 states of shared NAR prefixes are reused');
    const n = await runCommand(lockCommand, [
      'find-rev',
      '--lock',
      lockFile,
      'nowhere',
      '--repo',
      repo,
      '--limit',
      '10',
    ]);
    assert.equal(n.code, 1);
    assert.match(n.out, /no commit among 10/);
    assert.equal(orderCandidates(commits, { rev: early.oid })[0]!.oid, early.oid);
    git(repo, ['log', '-1']);
  },
);
