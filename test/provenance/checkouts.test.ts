// Candidate checkouts for "Find Commit Matching narHash": real repositories made with git init and
// git remote add around a workspace folder, matched by remote, fork, directory name and the lock's
// own location; bounded to the roots, their children and siblings.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { parseFlakeLock } from '../../server/src/nar/flakeLock';
import {
  findCheckouts,
  inputIdentity,
  MAX_ENTRIES,
  parseRemoteUrl,
  remoteUrls,
  type CheckoutCandidate,
} from '../../server/src/system/checkouts';
import { isInside } from '../../server/src/system/provenance';
import { skipUnless } from '../nixEnv';
import { git, lockFor } from './gitRepo';

const tmp = mkdtempSync(join(tmpdir(), 'nixboot-checkouts-'));
after(() => rmSync(tmp, { recursive: true, force: true }));
const skip = skipUnless('git');
const NAR = 'sha256-TCQmzlnaEAEaS0rG3/3YOs7JFLcjPV0xHI2CcJHvj4s=';

/** A repository at `dir` (git init) with the given remotes (git remote add), or bare. */
function repo(dir: string, remotes: Record<string, string> = {}, bare = false): string {
  mkdirSync(dir, { recursive: true });
  git(dir, ['init', '-q', ...(bare ? ['--bare'] : [])]);
  for (const [name, url] of Object.entries(remotes)) git(dir, ['remote', 'add', name, url]);
  return dir;
}

/** The candidates as `path: match [reasons]`, paths relative to `base`. */
function show(cs: CheckoutCandidate[], base: string): string[] {
  return cs.map(
    (c) =>
      `${c.path.startsWith(base) ? c.path.slice(base.length + 1) : c.path}: ${c.match}${c.strong ? '!' : ''}${c.checked ? '' : '?'} [${c.reasons.join(' | ')}]`,
  );
}

test('parseRemoteUrl: https, ssh, scp-like, git://, file and plain paths; others are not remotes', () => {
  const cases: [string, ReturnType<typeof parseRemoteUrl>][] = [
    ['https://github.com/NixOS/nixpkgs.git', { host: 'github.com', slug: 'nixos/nixpkgs' }],
    ['https://github.com/NixOS/nixpkgs/', { host: 'github.com', slug: 'nixos/nixpkgs' }],
    ['ssh://git@github.com:22/alice/nixpkgs', { host: 'github.com', slug: 'alice/nixpkgs' }],
    ['git@github.com:NixOS/nixpkgs.git', { host: 'github.com', slug: 'nixos/nixpkgs' }],
    ['git://git.sr.ht/~alice/sed-key', { host: 'git.sr.ht', slug: '~alice/sed-key' }],
    ['https://gitlab.com/group/sub/project.git', { host: 'gitlab.com', slug: 'group/sub/project' }],
    ['git+https://codeberg.org/a/b?ref=main', { host: 'codeberg.org', slug: 'a/b' }],
    ['file:///srv/git/sed-key', { path: '/srv/git/sed-key' }],
    ['/srv/git/sed-key.git', { path: '/srv/git/sed-key.git' }],
    ['../relative', undefined],
    ['https://example.com/', undefined],
    ['ext::sh -c touch% /tmp/x', undefined],
  ];
  for (const [url, want] of cases) assert.deepEqual(parseRemoteUrl(url), want, url);
});

test('remoteUrls reads [remote "x"] url values as data: quotes, comments, case, the old [remote.x] form, nothing else', () => {
  const config = [
    '[core]',
    '\turl = https://not-a-remote/x/y',
    '[remote "origin"]',
    '\tURL = "https://github.com/NixOS/nixpkgs.git" ; a comment',
    '\tfetch = +refs/heads/*:refs/remotes/origin/*',
    '[Remote "up;stream"] url = git@github.com:a/b # trailing',
    '[remote.old]',
    '\turl = /srv/old',
    '[include]',
    '\tpath = /etc/evil',
    '[url "https://github.com/"]',
    '\tinsteadOf = gh:',
  ].join('\n');
  assert.deepEqual(remoteUrls(config), [
    { remote: 'origin', url: 'https://github.com/NixOS/nixpkgs.git' },
    { remote: 'up;stream', url: 'git@github.com:a/b' },
    { remote: 'old', url: '/srv/old' },
  ]);
});

test('inputIdentity: github (with an enterprise host), gitlab subgroups, git URLs, git+file and path locations', () => {
  const lock = parseFlakeLock(
    lockFor({
      nixpkgs: {
        locked: { type: 'github', owner: 'NixOS', repo: 'nixpkgs', narHash: NAR },
        original: { type: 'github', owner: 'NixOS', repo: 'nixpkgs' },
      },
      ghe: {
        locked: { type: 'github', owner: 'corp', repo: 'tools', host: 'git.corp.example', narHash: NAR },
        original: {},
      },
      gl: { locked: { type: 'gitlab', owner: 'group%2Fsub', repo: 'proj', narHash: NAR }, original: {} },
      url: { locked: { type: 'git', url: 'https://codeberg.org/a/sed-key', narHash: NAR }, original: {} },
      local: { locked: { type: 'git', url: 'file:./src', narHash: NAR }, original: {} },
      dir: { locked: { type: 'path', path: '/srv/dir', narHash: NAR }, original: {} },
    }),
  );
  const id = (k: string) =>
    inputIdentity(
      lock.inputs.find((i) => i.key === k)!,
      '/l',
    );
  assert.deepEqual(id('nixpkgs'), { host: 'github.com', slug: 'nixos/nixpkgs', name: 'nixpkgs' });
  assert.deepEqual(id('ghe'), { host: 'git.corp.example', slug: 'corp/tools', name: 'tools' });
  assert.deepEqual(id('gl'), { host: 'gitlab.com', slug: 'group/sub/proj', name: 'proj' });
  assert.deepEqual(id('url'), { host: 'codeberg.org', slug: 'a/sed-key', name: 'sed-key' });
  assert.deepEqual(id('local'), { local: { path: '/l/src', field: 'locked.url' }, name: 'src' });
  assert.deepEqual(id('dir'), { local: { path: '/srv/dir', field: 'locked.path' }, name: 'dir' });
});

test(
  'findCheckouts: remotes, forks and names among the workspace, its children and siblings, strongest first (real git)',
  { skip },
  () => {
    const base = join(tmp, 'home');
    const ws = join(base, 'config');
    mkdirSync(ws, { recursive: true });
    writeFileSync(
      join(ws, 'flake.lock'),
      lockFor({
        nixpkgs: {
          locked: { type: 'github', owner: 'NixOS', repo: 'nixpkgs', narHash: NAR },
          original: { type: 'github', owner: 'NixOS', repo: 'nixpkgs' },
        },
      }),
    );
    repo(ws, { origin: 'git@github.com:me/config.git' });
    repo(join(base, 'src'), { origin: 'https://github.com/NixOS/nixpkgs.git' });
    repo(join(base, 'fork'), {
      origin: 'git@github.com:alice/nixpkgs.git',
      upstream: 'https://github.com/nixos/nixpkgs',
    });
    repo(join(base, 'bob'), { origin: 'ssh://git@github.com/bob/nixpkgs' });
    repo(join(base, 'nixpkgs.git'), {}, true);
    repo(join(ws, 'vendor', 'nixpkgs'), { origin: 'https://github.com/NixOS/nixpkgs' }); // two levels down: not looked at
    repo(join(base, 'dotfiles'), { origin: 'https://github.com/NixOS/other' });
    repo(join(base, '.hidden-nixpkgs'), { origin: 'https://github.com/NixOS/nixpkgs' });
    mkdirSync(join(base, 'nixpkgs')); // the right name, but not a repository
    symlinkSync(join(base, 'src'), join(base, 'src-link')); // the same repository again
    const lock = parseFlakeLock(
      lockFor({
        nixpkgs: { locked: { type: 'github', owner: 'NixOS', repo: 'nixpkgs', narHash: NAR }, original: {} },
      }),
    );
    const got = findCheckouts(lock, 'nixpkgs', { roots: [ws], lockDir: ws });
    assert.deepEqual(show(got, base), [
      'fork: remote! [remote upstream is github.com/nixos/nixpkgs | remote origin is github.com/alice/nixpkgs, a fork or mirror of nixos/nixpkgs]',
      'src: remote! [remote origin is github.com/nixos/nixpkgs]',
      'bob: fork [remote origin is github.com/bob/nixpkgs, a fork or mirror of nixos/nixpkgs]',
      'nixpkgs.git: name [its directory is named nixpkgs.git]',
    ]);
    // Another host is another repository (a GitHub Enterprise input does not match github.com).
    const ghe = parseFlakeLock(
      lockFor({
        nixpkgs: {
          locked: { type: 'github', owner: 'NixOS', repo: 'nixpkgs', host: 'git.corp.example', narHash: NAR },
          original: {},
        },
      }),
    );
    assert.deepEqual(
      findCheckouts(ghe, 'nixpkgs', { roots: [ws] }).map((c) => c.match),
      ['fork', 'fork', 'fork', 'name'],
    );
    // Nothing fits: no candidates (the editor then asks with its folder dialog).
    const none = parseFlakeLock(
      lockFor({
        x: { locked: { type: 'github', owner: 'o', repo: 'unheard-of', narHash: NAR }, original: {} },
      }),
    );
    assert.deepEqual(findCheckouts(none, 'x', { roots: [ws], lockDir: ws }), []);
  },
);

test(
  "findCheckouts: the lock's own git+file location first when it may be opened; outside, proposed unopened; a remote naming it matches (real git)",
  { skip },
  () => {
    const base = join(tmp, 'local');
    const ws = join(base, 'ws');
    const inside = repo(join(ws, 'lockdemo', 'src'));
    const outside = repo(join(base, 'sed-key'));
    const clone = repo(join(base, 'clone'), { origin: inside });
    const lockDir = join(ws, 'lockdemo');
    const lock = (url: string) =>
      parseFlakeLock(
        lockFor({
          'sed-key': { locked: { type: 'git', url, narHash: NAR }, original: { type: 'git', url } },
        }),
      );
    const followLocked = (real: string) => isInside(real, ws);

    const a = findCheckouts(lock('file:./src'), 'sed-key', { roots: [ws], lockDir, followLocked });
    assert.deepEqual(show(a, base), [
      'ws/lockdemo/src: locked! [the flake.lock names it (locked.url)]',
      `clone: remote! [remote origin is ${inside}, the repository the flake.lock names]`,
      'sed-key: name [its directory is named sed-key]',
    ]);
    assert.equal(a[0]!.path, inside);
    assert.ok(clone);

    // Outside the workspace: proposed with its reason, not opened — not even as a sibling whose name
    // matches the input (which would add "its directory is named sed-key").
    const b = findCheckouts(lock(`file://${outside}`), 'sed-key', { roots: [ws], lockDir, followLocked });
    assert.deepEqual(show(b, base), [
      'sed-key: locked!? [the flake.lock names it (locked.url); outside the workspace, so not opened until you choose it]',
    ]);
    // A location that does not exist is not proposed; without followLocked nothing the lock names is opened.
    assert.deepEqual(
      show(
        findCheckouts(lock(`file://${base}/gone`), 'sed-key', { roots: [ws], lockDir, followLocked }),
        base,
      ),
      ['sed-key: name [its directory is named sed-key]'],
    );
    assert.equal(findCheckouts(lock('file:./src'), 'sed-key', { roots: [ws], lockDir })[0]!.checked, false);
  },
);

test(
  'findCheckouts is bounded: one level around each root, never deeper; at most MAX_ENTRIES names of a listing',
  { skip },
  () => {
    const base = join(tmp, 'many');
    const ws = join(base, 'ws');
    mkdirSync(ws, { recursive: true });
    repo(join(base, 'd0', 'nixpkgs'), { origin: 'https://github.com/NixOS/nixpkgs' });
    const lock = parseFlakeLock(
      lockFor({
        nixpkgs: { locked: { type: 'github', owner: 'NixOS', repo: 'nixpkgs', narHash: NAR }, original: {} },
      }),
    );
    assert.deepEqual(
      findCheckouts(lock, 'nixpkgs', { roots: [ws] }),
      [],
      'a repository below a sibling is not looked for',
    );
    // 3000 siblings that each look like a checkout of nixpkgs (a .git directory whose config names
    // the remote): only the first MAX_ENTRIES names of the listing are read.
    for (let i = 1; i <= 3000; i++) {
      mkdirSync(join(base, `d${i}`, '.git'), { recursive: true });
      writeFileSync(
        join(base, `d${i}`, '.git', 'config'),
        '[remote "origin"]\n\turl = https://github.com/NixOS/nixpkgs\n',
      );
    }
    const t = Date.now();
    const got = findCheckouts(lock, 'nixpkgs', { roots: [ws] });
    assert.ok(got.length <= MAX_ENTRIES && got.length >= MAX_ENTRIES - 2, `${got.length} candidates`);
    assert.ok(got.every((c) => c.match === 'remote'));
    assert.ok(Date.now() - t < 5000, `took ${Date.now() - t} ms`);
  },
);

test(
  'findCheckouts: a sibling whose .git/config or .git file is a FIFO is skipped, not waited on (real mkfifo)',
  { skip: skipUnless('git', 'mkfifo'), timeout: 20_000 },
  () => {
    const base = join(tmp, 'fifo');
    const ws = join(base, 'ws');
    mkdirSync(ws, { recursive: true });
    const good = repo(join(base, 'nixpkgs'), { origin: 'https://github.com/NixOS/nixpkgs' });
    mkdirSync(join(base, 'a', '.git'), { recursive: true });
    mkdirSync(join(base, 'b'), { recursive: true });
    for (const f of [join(base, 'a', '.git', 'config'), join(base, 'b', '.git')])
      assert.equal(spawnSync('mkfifo', [f]).status, 0);
    const lock = parseFlakeLock(
      lockFor({
        nixpkgs: { locked: { type: 'github', owner: 'NixOS', repo: 'nixpkgs', narHash: NAR }, original: {} },
      }),
    );
    assert.deepEqual(
      findCheckouts(lock, 'nixpkgs', { roots: [ws] }).map((c) => c.path),
      [good],
    );
  },
);
