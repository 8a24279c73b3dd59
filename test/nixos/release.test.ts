import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  effectiveStageOne,
  findFlakeLock,
  parseRelease,
  releaseFromFlakeLock,
  releaseFromSources,
  systemdByDefault,
} from '../../server/src/nixos/release';

const lock = (nixpkgsOriginal: object, extra: object = {}) =>
  JSON.stringify({
    nodes: {
      nixpkgs: {
        locked: {
          type: 'github',
          owner: 'NixOS',
          repo: 'nixpkgs',
          rev: 'abc',
          narHash: 'sha256-x',
          lastModified: 1,
        },
        original: nixpkgsOriginal,
      },
      root: { inputs: { nixpkgs: 'nixpkgs', ...extra } },
      ...('other' in extra ? { other: { inputs: { nixpkgs: 'nixpkgs' } } } : {}),
    },
    root: 'root',
    version: 7,
  });

test('releases from refs', () => {
  assert.deepEqual(parseRelease('nixos-25.11'), { year: 25, month: 11, label: '25.11' });
  assert.deepEqual(parseRelease('nixos-24.05-small'), { year: 24, month: 5, label: '24.05' });
  assert.equal(parseRelease('nixos-unstable'), undefined, 'unstable is dated by the lock, never assumed new');
  assert.equal(parseRelease('feature-branch'), undefined);
  assert.equal(systemdByDefault(parseRelease('nixos-25.11')!), false);
  assert.equal(systemdByDefault(parseRelease('nixos-26.05')!), true);
});

test('flake.lock: the nixpkgs input original.ref, also through follows and urls', () => {
  assert.equal(
    releaseFromFlakeLock(lock({ type: 'github', owner: 'NixOS', repo: 'nixpkgs', ref: 'nixos-25.05' }))
      ?.release?.label,
    '25.05',
  );
  assert.equal(
    releaseFromFlakeLock(lock({ type: 'indirect', id: 'nixpkgs' }))?.release?.label,
    'unstable 1970-01-01',
    'an undated-ref pin is dated by locked.lastModified',
  );
  assert.equal(
    releaseFromFlakeLock(lock({ type: 'git', url: 'https://example.org/nixpkgs?ref=nixos-26.05' }))?.release
      ?.label,
    '26.05',
  );
  const follows = JSON.stringify({
    nodes: {
      upstream: { original: { type: 'github', owner: 'NixOS', repo: 'nixpkgs', ref: 'nixos-24.11' } },
      root: { inputs: { nixpkgs: ['other', 'nixpkgs'], other: 'other' } },
      other: { inputs: { nixpkgs: 'upstream' } },
    },
    root: 'root',
    version: 7,
  });
  assert.equal(releaseFromFlakeLock(follows)?.release?.label, '24.11');
  assert.equal(releaseFromFlakeLock('{ not json'), undefined);
});

test('effective stage 1: explicit beats flake.lock beats setting; unknown says so', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nixboot-release-'));
  try {
    mkdirSync(join(dir, 'hosts', 'a'), { recursive: true });
    writeFileSync(
      join(dir, 'flake.lock'),
      lock({ type: 'github', owner: 'NixOS', repo: 'nixpkgs', ref: 'nixos-26.05' }),
    );
    assert.equal(findFlakeLock(join(dir, 'hosts', 'a')), join(dir, 'flake.lock'));
    const fromLock = effectiveStageOne({
      explicit: [],
      fileDir: join(dir, 'hosts', 'a'),
      releaseSetting: '25.05',
    });
    assert.equal(fromLock.systemd, true);
    assert.equal(fromLock.source, 'flake.lock');
    assert.match(fromLock.reason, /26\.05/);
    const explicit = effectiveStageOne({ explicit: [{ value: false, file: 'x.nix' }], fileDir: dir });
    assert.deepEqual([explicit.systemd, explicit.source], [false, 'explicit']);
    assert.equal(
      explicit.release?.label,
      '26.05',
      'an explicit choice still carries the release (scripted-initrd-deprecated needs it)',
    );
    const explicitSetting = effectiveStageOne({
      explicit: [{ value: false, file: 'x.nix' }],
      releaseSetting: '25.11',
    });
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

const dated = (inputs: Record<string, { ref?: string; owner?: string; lastModified?: number }>) =>
  JSON.stringify({
    nodes: {
      ...Object.fromEntries(
        Object.entries(inputs).map(([name, v]) => [
          name,
          {
            locked: {
              type: 'github',
              owner: v.owner ?? 'NixOS',
              repo: 'nixpkgs',
              rev: 'f00dfeedbeef',
              ...(v.lastModified ? { lastModified: v.lastModified } : {}),
            },
            original: {
              type: 'github',
              owner: v.owner ?? 'NixOS',
              repo: 'nixpkgs',
              ...(v.ref ? { ref: v.ref } : {}),
            },
          },
        ]),
      ),
      root: { inputs: Object.fromEntries(Object.keys(inputs).map((n) => [n, n])) },
    },
    root: 'root',
    version: 7,
  });
const unix = (iso: string) => Date.parse(`${iso}T12:00:00Z`) / 1000;

test('unstable and fork pins are dated by locked.lastModified: a 2024 unstable pin is scripted, a mid-2026 one systemd', () => {
  const old = effectiveStageOne({
    explicit: [],
    flakeLockText: dated({ nixpkgs: { ref: 'nixos-unstable', lastModified: unix('2024-03-05') } }),
  });
  assert.deepEqual([old.systemd, old.release?.label], [false, 'unstable 2024-03-05']);
  assert.match(old.reason, /input nixpkgs: nixos-unstable pinned at 2024-03-05 \(rev f00dfee\)/);
  const recent = effectiveStageOne({
    explicit: [],
    flakeLockText: dated({ nixpkgs: { ref: 'nixos-unstable', lastModified: unix('2026-06-01') } }),
  });
  assert.equal(recent.systemd, true);
  const between = effectiveStageOne({
    explicit: [],
    flakeLockText: dated({ nixpkgs: { ref: 'nixos-unstable', lastModified: unix('2026-03-20') } }),
  });
  assert.equal(between.systemd, undefined, 'pins in the weeks of the switch are not guessed');
  const fork = effectiveStageOne({
    explicit: [],
    flakeLockText: dated({
      nixpkgs: { owner: 'someone', ref: 'my-patches', lastModified: unix('2025-01-10') },
    }),
  });
  assert.deepEqual([fork.systemd, fork.release?.label], [false, 'unstable 2025-01-10']);
  const noDate = effectiveStageOne({
    explicit: [],
    flakeLockText: dated({ nixpkgs: { ref: 'nixos-unstable' } }),
  });
  assert.equal(noDate.systemd, undefined);
  assert.match(noDate.reason, /no date/);
});

test("the host's own nixpkgs input decides (nixpkgs-server), not the first one named nixpkgs", () => {
  const text = dated({
    nixpkgs: { ref: 'nixos-unstable', lastModified: unix('2026-07-01') },
    'nixpkgs-server': { ref: 'nixos-25.05' },
  });
  assert.equal(effectiveStageOne({ explicit: [], flakeLockText: text }).systemd, true);
  const server = effectiveStageOne({ explicit: [], flakeLockText: text, input: 'nixpkgs-server' });
  assert.deepEqual([server.systemd, server.release?.label], [false, '25.05']);
  assert.match(server.reason, /input nixpkgs-server: nixos-25\.05/);
});

test('npins and niv sources.json pin releases; an unstable pin without a date stays unknown', () => {
  assert.equal(
    releaseFromSources(
      JSON.stringify({
        pins: { nixpkgs: { type: 'Channel', name: 'nixos-24.11', url: 'https://releases.nixos.org/x' } },
        version: 5,
      }),
    )?.release?.label,
    '24.11',
  );
  assert.equal(
    releaseFromSources(
      JSON.stringify({ nixpkgs: { branch: 'nixos-25.05', owner: 'NixOS', repo: 'nixpkgs', rev: 'abc' } }),
    )?.release?.label,
    '25.05',
  );
  assert.equal(
    releaseFromSources(JSON.stringify({ pins: { nixpkgs: { type: 'Git', branch: 'nixos-unstable' } } }))
      ?.release,
    undefined,
  );
  const dir = mkdtempSync(join(tmpdir(), 'nixboot-npins-'));
  try {
    mkdirSync(join(dir, 'npins'));
    writeFileSync(
      join(dir, 'npins', 'sources.json'),
      JSON.stringify({ pins: { nixpkgs: { type: 'Git', branch: 'nixos-26.05' } }, version: 5 }),
    );
    const s = effectiveStageOne({ explicit: [], fileDir: dir });
    assert.deepEqual([s.systemd, s.source], [true, 'npins']);
    assert.match(s.reason, /pin nixpkgs: nixos-26\.05/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
