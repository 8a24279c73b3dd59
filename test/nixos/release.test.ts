import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { effectiveStageOne, findFlakeLock, parseRelease, releaseFromFlakeLock, systemdByDefault } from '../../server/src/nixos/release';

const lock = (nixpkgsOriginal: object, extra: object = {}) =>
  JSON.stringify({
    nodes: {
      nixpkgs: { locked: { type: 'github', owner: 'NixOS', repo: 'nixpkgs', rev: 'abc', narHash: 'sha256-x', lastModified: 1 }, original: nixpkgsOriginal },
      root: { inputs: { nixpkgs: 'nixpkgs', ...extra } },
      ...('other' in extra ? { other: { inputs: { nixpkgs: 'nixpkgs' } } } : {}),
    },
    root: 'root',
    version: 7,
  });

test('releases from refs', () => {
  assert.deepEqual(parseRelease('nixos-25.11'), { year: 25, month: 11, label: '25.11' });
  assert.deepEqual(parseRelease('nixos-24.05-small'), { year: 24, month: 5, label: '24.05' });
  assert.equal(parseRelease('nixos-unstable')?.label, 'unstable');
  assert.equal(parseRelease('feature-branch'), undefined);
  assert.equal(systemdByDefault(parseRelease('nixos-25.11')!), false);
  assert.equal(systemdByDefault(parseRelease('nixos-26.05')!), true);
  assert.equal(systemdByDefault(parseRelease('nixos-unstable')!), true);
});

test('flake.lock: the nixpkgs input original.ref, also through follows and urls', () => {
  assert.equal(releaseFromFlakeLock(lock({ type: 'github', owner: 'NixOS', repo: 'nixpkgs', ref: 'nixos-25.05' }))?.label, '25.05');
  assert.equal(releaseFromFlakeLock(lock({ type: 'indirect', id: 'nixpkgs' })), undefined);
  assert.equal(releaseFromFlakeLock(lock({ type: 'git', url: 'https://example.org/nixpkgs?ref=nixos-26.05' }))?.label, '26.05');
  const follows = JSON.stringify({
    nodes: {
      upstream: { original: { type: 'github', owner: 'NixOS', repo: 'nixpkgs', ref: 'nixos-24.11' } },
      root: { inputs: { nixpkgs: ['other', 'nixpkgs'], other: 'other' } },
      other: { inputs: { nixpkgs: 'upstream' } },
    },
    root: 'root',
    version: 7,
  });
  assert.equal(releaseFromFlakeLock(follows)?.label, '24.11');
  assert.equal(releaseFromFlakeLock('{ not json'), undefined);
});

test('effective stage 1: explicit beats flake.lock beats setting; unknown says so', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nixboot-release-'));
  try {
    mkdirSync(join(dir, 'hosts', 'a'), { recursive: true });
    writeFileSync(join(dir, 'flake.lock'), lock({ type: 'github', owner: 'NixOS', repo: 'nixpkgs', ref: 'nixos-26.05' }));
    assert.equal(findFlakeLock(join(dir, 'hosts', 'a')), join(dir, 'flake.lock'));
    const fromLock = effectiveStageOne({ explicit: [], fileDir: join(dir, 'hosts', 'a'), releaseSetting: '25.05' });
    assert.equal(fromLock.systemd, true);
    assert.equal(fromLock.source, 'flake.lock');
    assert.match(fromLock.reason, /26\.05/);
    const explicit = effectiveStageOne({ explicit: [{ value: false, file: 'x.nix' }], fileDir: dir });
    assert.deepEqual([explicit.systemd, explicit.source], [false, 'explicit']);
    assert.equal(explicit.release?.label, '26.05', 'an explicit choice still carries the release (scripted-initrd-deprecated needs it)');
    const explicitSetting = effectiveStageOne({ explicit: [{ value: false, file: 'x.nix' }], releaseSetting: '25.11' });
    assert.equal(explicitSetting.release?.label, '25.11');
    assert.equal(effectiveStageOne({ explicit: [{ value: true, file: 'x.nix' }] }).release, undefined);
    const setting = effectiveStageOne({ explicit: [], releaseSetting: '25.11' });
    assert.deepEqual([setting.systemd, setting.source], [false, 'setting']);
    const unknown = effectiveStageOne({ explicit: [] });
    assert.deepEqual([unknown.systemd, unknown.source], [undefined, 'unknown']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
