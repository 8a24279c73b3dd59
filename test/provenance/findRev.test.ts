// find-rev over histories whose trees change shape: renames, symlink ↔ file, exec bit flips,
// a gitlink appearing, a file becoming a directory, a large file changing near its end, a revert.
// Every commit's NAR hash is checked against `git archive | tar -x` + real `nix hash path`, on
// the calling thread and on hashing lanes (worker threads resuming saved SHA-256 states).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { formatHash } from '../../server/src/nar/encoding';
import { GitObjectReader, GitTreeHasher, listCommits, type CommitInfo } from '../../server/src/system/git';
import { HashLane, STEP } from '../../server/src/system/hashLanes';
import { findRev } from '../../server/src/system/provenance';
import { nixEnv, skipUnless } from '../nixEnv';
import { exportCommit, git } from './gitRepo';

const tmp = mkdtempSync(join(tmpdir(), 'nixboot-findrev-'));
after(() => rmSync(tmp, { recursive: true, force: true }));
const skip = skipUnless('nix', 'git', 'tar');

function nixHash(p: string): string {
  const r = spawnSync('nix', ['hash', 'path', p], { env: nixEnv(), encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim();
}

let repo = '';
let commits: CommitInfo[] = [];
/** narHash of each commit (newest first), from git archive + nix hash path. */
const expected = new Map<string, string>();

function commit(msg: string, i: number, addAll = true): void {
  if (addAll) git(repo, ['add', '-A']);
  const date = `@${1_700_000_000 + i * 60} +0000`;
  git(repo, ['commit', '-q', '--allow-empty', '-m', msg], {
    GIT_COMMITTER_DATE: date,
    GIT_AUTHOR_DATE: date,
  });
}

before(() => {
  if (skip) return;
  repo = join(tmp, 'repo');
  mkdirSync(join(repo, 'src', 'deep'), { recursive: true });
  git(repo, ['init', '-q', '-b', 'main']);
  const big = Buffer.alloc(3 * 1024 * 1024 + 5, 0x61); // > 1 MiB: kept as its own piece
  for (let k = 0; k < 30; k++)
    writeFileSync(join(repo, 'src', 'deep', `f${k}.txt`), `filler ${k}\n`.repeat(3000)); // ~300 KiB: several states
  writeFileSync(join(repo, 'a.txt'), 'a\n');
  writeFileSync(join(repo, 'big.bin'), big);
  writeFileSync(join(repo, 'run.sh'), '#!/bin/sh\necho hi\n');
  writeFileSync(join(repo, 'empty'), '');
  writeFileSync(join(repo, 'x'), 'x is a file\n');
  symlinkSync('a.txt', join(repo, 'l'));
  let i = 0;
  commit('base', i++);
  git(repo, ['mv', 'a.txt', 'b.txt']);
  commit('rename a.txt to b.txt', i++);
  rmSync(join(repo, 'l'));
  writeFileSync(join(repo, 'l'), 'b.txt');
  commit('symlink l becomes a file with the same bytes', i++);
  chmodSync(join(repo, 'run.sh'), 0o755);
  commit('run.sh executable', i++);
  git(repo, ['update-index', '--add', '--cacheinfo', `160000,${'2'.repeat(40)},vendor/sub`]);
  commit('gitlink vendor/sub appears', i++, false); // `add -A` would drop the gitlink (no vendor/sub here)
  rmSync(join(repo, 'x'));
  mkdirSync(join(repo, 'x'));
  git(repo, ['rm', '-q', '--cached', 'x']);
  writeFileSync(join(repo, 'x', 'inner'), 'x is a directory\n');
  commit('x becomes a directory', i++);
  big[big.length - 2] = 0x62;
  writeFileSync(join(repo, 'big.bin'), big);
  commit('big.bin changes near its end', i++);
  writeFileSync(join(repo, 'x.txt'), 'sorts before x/ in git, after x in a NAR\n');
  commit('x.txt next to x/', i++);
  chmodSync(join(repo, 'run.sh'), 0o644);
  commit('run.sh not executable', i++);
  for (let k = 0; k < 40; k++) {
    writeFileSync(join(repo, 'src', 'deep', `f${(k * 7) % 30}.txt`), `change ${k}\n`.repeat(2000 + k));
    if (k === 20) symlinkSync('../b.txt', join(repo, 'src', 'link'));
    commit(`filler ${k}`, i++);
  }
  writeFileSync(join(repo, 'src', 'deep', 'f0.txt'), `filler 0\n`.repeat(3000));
  commit('revert-like: same tree as no other commit, f0 back to its first text', i++);
  git(repo, ['revert', '--no-edit', 'HEAD'], {
    GIT_COMMITTER_DATE: `@${1_700_000_000 + i * 60} +0000`,
    GIT_AUTHOR_DATE: `@${1_700_000_000 + i * 60} +0000`,
  });
});

test(
  'every commit: tree NAR hash on this thread and on lanes equals git archive + nix hash path (real nix, real git)',
  { skip },
  async () => {
    commits = await listCommits(repo, 1000);
    assert.equal(commits.length, 51);
    for (const c of commits) expected.set(c.oid, nixHash(exportCommit(repo, c.oid, join(tmp, 'export'))));
    const reader = new GitObjectReader(repo);
    const lane = new HashLane();
    try {
      const hasher = new GitTreeHasher(reader);
      // newest → oldest on this thread, oldest → newest on a lane: both orders resume states
      for (const c of commits)
        assert.equal(formatHash((await hasher.hashTree(c.tree)).hash, 'sri'), expected.get(c.oid), c.subject);
      assert.ok(hasher.stats.prefixBytesReused > 0, 'prefix states reused');
      const roots = await Promise.all([...commits].reverse().map((c) => hasher.narOf(c.tree)));
      const hashes = await Promise.all(roots.map((r) => lane.hash(r)));
      [...commits]
        .reverse()
        .forEach((c, k) =>
          assert.equal(formatHash(hashes[k]!, 'sri'), expected.get(c.oid), `lane: ${c.subject}`),
        );
      assert.ok(lane.bytesReused > 10 * STEP, `lane resumed saved states (${lane.bytesReused} bytes)`);
      // a closed lane answers at once, and so does everything still queued on it
      const queued = lane.hash(roots[0]!);
      await lane.close();
      await assert.rejects(lane.hash(roots[1]!), /closed/);
      await assert.rejects(queued, /closed|exited/);
    } finally {
      reader.close();
      await lane.close();
    }
  },
);

test(
  'find-rev finds each kind of change, on this thread and on lanes, and counts commits considered (real git)',
  { skip },
  async () => {
    assert.ok(commits.length > 0);
    const pick = [
      'rename a.txt to b.txt',
      'symlink l becomes a file with the same bytes',
      'run.sh executable',
      'gitlink vendor/sub appears',
      'x becomes a directory',
      'big.bin changes near its end',
      'x.txt next to x/',
      'filler 3',
      'base',
    ];
    const trees = [...new Set(commits.map((c) => c.tree))];
    for (const subject of pick) {
      const idx = commits.findIndex((c) => c.subject === subject);
      const c = commits[idx]!;
      const treeIndex = trees.indexOf(c.tree);
      for (const lanes of [0, 2]) {
        const r = await findRev(expected.get(c.oid)!, {}, { repo, lanes });
        assert.deepEqual(
          r.matches.map((m) => m.oid),
          [c.oid],
          `${subject} (lanes ${lanes})`,
        );
        assert.equal(r.commitsConsidered, idx + 1, `${subject}: commits considered (lanes ${lanes})`);
        assert.equal(r.lanes, treeIndex >= 16 ? lanes : 0, `${subject}: lanes used`);
      }
    }
  },
);

test(
  'find-rev --all reports every commit with a matching tree in order, across lanes (real git)',
  { skip },
  async () => {
    // The revert restores the tree of 'filler 39'; 'revert-like' has one of its own.
    const reverted = commits.find((c) => c.subject.startsWith('Revert'))!;
    const twin = commits.find((c) => c.subject === 'filler 39')!;
    assert.equal(reverted.tree, twin.tree);
    for (const lanes of [0, 2]) {
      const r = await findRev(expected.get(twin.oid)!, {}, { repo, lanes, all: true });
      assert.deepEqual(
        r.matches.map((m) => m.oid),
        [reverted.oid, twin.oid],
        `lanes ${lanes}`,
      );
      assert.equal(r.commitsConsidered, commits.length);
      const none = await findRev('sha256-TCQmzlnaEAEaS0rG3/3YOs7JFLcjPV0xHI2CcJHvj4s=', {}, { repo, lanes });
      assert.deepEqual(none.matches, []);
      assert.equal(none.treesHashed, new Set(commits.map((c) => c.tree)).size);
    }
  },
);

test('find-rev: cancelled walk and a broken repository reject cleanly (real git)', { skip }, async () => {
  const ac = new AbortController();
  ac.abort();
  await assert.rejects(
    findRev(expected.get(commits.at(-1)!.oid)!, {}, { repo, lanes: 2, signal: ac.signal }),
    /cancelled|abort/i,
  );
  const progress: number[] = [];
  const late = new AbortController();
  await assert.rejects(
    findRev(
      'sha256-TCQmzlnaEAEaS0rG3/3YOs7JFLcjPV0xHI2CcJHvj4s=',
      {},
      { repo, lanes: 2, signal: late.signal, onProgress: (d) => (progress.push(d), d >= 20 && late.abort()) },
    ),
    /cancelled/,
  );
  assert.ok(progress.length >= 15, `progress ${progress.join(',')}`);
  // a tree object that is missing: the walk fails with git's word for it, no hang
  const broken = join(tmp, 'broken');
  spawnSync('cp', ['-r', repo, broken]);
  const victim = commits.find((c) => c.subject === 'filler 30')!;
  const deep = git(broken, ['rev-parse', `${victim.oid}:src/deep`]).trim();
  const loose = join(broken, '.git', 'objects', deep.slice(0, 2), deep.slice(2));
  assert.ok(existsSync(loose), `objects are loose in a fresh repository: ${loose}`);
  rmSync(loose);
  for (const lanes of [0, 2])
    await assert.rejects(
      findRev('sha256-TCQmzlnaEAEaS0rG3/3YOs7JFLcjPV0xHI2CcJHvj4s=', {}, { repo: broken, lanes }),
      /not found/,
    );
});

test(
  'git object reader (no git process): missing objects, bad names, a closed reader (real git builds the repository)',
  { skip },
  async () => {
    const reader = new GitObjectReader(repo);
    const names = [
      'f'.repeat(40),
      'HEAD^{tree}',
      git(repo, ['rev-parse', 'HEAD:big.bin']).trim(),
      'no-such-rev',
    ];
    const got = await Promise.allSettled(names.map((n) => reader.read(n)));
    assert.match(String((got[0] as PromiseRejectedResult).reason), /not found/);
    assert.equal((got[1] as PromiseFulfilledResult<{ type: string }>).value.type, 'tree');
    const big = (got[2] as PromiseFulfilledResult<{ data: Buffer }>).value.data;
    assert.equal(big.length, 3 * 1024 * 1024 + 5);
    assert.equal(big[big.length - 2], 0x62);
    assert.match(String((got[3] as PromiseRejectedResult).reason), /not found/);
    await assert.rejects(reader.read('a\nb'), /invalid object name/);
    const pending = reader.read('HEAD');
    reader.close();
    await pending; // asked before close: still answered
    await assert.rejects(reader.read('HEAD'), /closed|ended/);
  },
);

test(
  'find-rev on hostile trees: unknown modes and objects of the wrong type give clear errors (real git)',
  { skip: skipUnless('git') },
  async () => {
    const bad = join(tmp, 'hostile');
    mkdirSync(bad);
    git(bad, ['init', '-q', '-b', 'main']);
    const hashObject = (type: string, data: Buffer): string => {
      const r = spawnSync('git', ['-C', bad, 'hash-object', '-t', type, '--literally', '-w', '--stdin'], {
        input: data,
        encoding: 'buffer',
      });
      assert.equal(r.status, 0, String(r.stderr));
      return r.stdout.toString().trim();
    };
    const blob = hashObject('blob', Buffer.from('hello\n'));
    const entry = (mode: string, name: string, oid: string) =>
      Buffer.concat([Buffer.from(`${mode} ${name}\0`), Buffer.from(oid, 'hex')]);
    const good = hashObject('tree', entry('100644', 'a', blob));
    const cases: [string, Buffer, RegExp][] = [
      ['unknown mode', entry('170000', 'weird', blob), /unsupported git mode 170000/],
      ['a blob where a tree belongs', entry('40000', 'dir', blob), /is a blob, not a tree/],
      ['a tree where a file belongs', entry('100644', 'file', good), /is a tree, not a blob/],
      ['a truncated tree object', entry('100644', 'cut', blob).subarray(0, 20), /malformed git tree/],
    ];
    let parent = '';
    for (const [subject, body] of cases) {
      const tree = hashObject('tree', body);
      const env = {
        GIT_AUTHOR_NAME: 't',
        GIT_AUTHOR_EMAIL: 't@t',
        GIT_COMMITTER_NAME: 't',
        GIT_COMMITTER_EMAIL: 't@t',
      };
      parent = git(bad, ['commit-tree', tree, '-m', subject, ...(parent ? ['-p', parent] : [])], env).trim();
    }
    git(bad, ['update-ref', 'refs/heads/main', parent]);
    const none = 'sha256-TCQmzlnaEAEaS0rG3/3YOs7JFLcjPV0xHI2CcJHvj4s=';
    // newest first: the truncated tree is met first; each case on its own via --limit and a hint
    const all = await listCommits(bad, 10);
    for (const [subject, , error] of cases) {
      const c = all.find((x) => x.subject === subject)!;
      await assert.rejects(findRev(none, { rev: c.oid }, { repo: bad, lanes: 0, limit: 10 }), error, subject);
    }
  },
);
