// Report data for the report tests and bench/reports.ts, shaped like the server's results
// (server/src/protocol.ts). `HOSTILE` is a name an archive, store path or commit can carry.
import type {
  GenerationsDiffRequest,
  InitrdInspectRequest,
  LockFindRevRequest,
  LockVerifyRequest,
  ProvenanceChainRequest,
} from '../../server/src/protocol';

export const HOSTILE = 'evil<script>alert(1)</script>"\'&\u001b[31m\u202e|`*_\n#x';

/** A closure diff with `n` package changes (a third each changed, added, removed), generation 2 → 3. */
export function closureDiffData(
  n: number,
  extra: Partial<GenerationsDiffRequest.Result['changes'][number]>[] = [],
): GenerationsDiffRequest.Result {
  const changes: GenerationsDiffRequest.Result['changes'][number][] = [];
  for (let i = 0; i < n; i++) {
    const kind = (['changed', 'added', 'removed'] as const)[i % 3]!;
    const sizeBefore = kind === 'added' ? 0 : 1000 + ((i * 7919) % 5_000_000);
    const sizeAfter = kind === 'removed' ? 0 : 1000 + ((i * 104729) % 5_000_000);
    changes.push({
      pname: `package-${String(i).padStart(4, '0')}`,
      kind,
      before: kind === 'added' ? [] : [`1.${i % 10}.0`],
      after: kind === 'removed' ? [] : [`1.${(i + 1) % 10}.0`],
      sizeBefore,
      sizeAfter,
      sizeDelta: sizeAfter - sizeBefore,
    });
  }
  for (const e of extra)
    changes.push({
      pname: 'x',
      kind: 'changed',
      before: [],
      after: [],
      sizeBefore: 0,
      sizeAfter: 0,
      sizeDelta: 0,
      ...e,
    });
  const sizeBefore = changes.reduce((s, c) => s + c.sizeBefore, 0);
  const sizeAfter = changes.reduce((s, c) => s + c.sizeAfter, 0);
  return {
    from: 2,
    to: 3,
    changes,
    sizeBefore,
    sizeAfter,
    pathsBefore: n,
    pathsAfter: n + 1,
    markdown: '# Closure diff: gen 2 → gen 3\n',
  };
}

export function provenanceData(): ProvenanceChainRequest.Result {
  return {
    subject: `/nix/store/aaaa-${HOSTILE}/bin/sed-key`,
    lockFile: '/work/flake.lock',
    links: [
      {
        kind: 'file',
        title: 'File',
        value: `/nix/store/aaaa-${HOSTILE}/bin/sed-key`,
        details: [],
        proof: 'realpath x',
        ok: true,
        location: { file: '/nix/store/aaaa-x/bin/sed-key', line: 0, character: 0 },
      },
      {
        kind: 'storePath',
        title: 'Store path',
        value: '/nix/store/aaaa-sed-key-0.1.0',
        details: [],
        proof: 'realpath x',
        ok: true,
      },
      {
        kind: 'deriver',
        title: 'Deriver',
        value: '/nix/store/bbbb-sed-key-0.1.0.drv',
        details: [],
        proof: 'nix-store --query --deriver x',
        ok: true,
        location: { file: '/nix/store/bbbb-sed-key-0.1.0.drv', line: 0, character: 0 },
      },
      {
        kind: 'source',
        title: 'Source',
        value: '/nix/store/cccc-source',
        details: ['narHash unknown (path absent)'],
        proof: 'nix hash path x',
        ok: false,
      },
      {
        kind: 'lockInput',
        title: 'flake.lock input',
        value: 'sed-key',
        details: [],
        proof: 'jq',
        ok: true,
        input: 'sed-key',
        location: { file: '/work/flake.lock', line: 12, character: 4 },
      },
      {
        kind: 'commit',
        title: 'Git commit (from the lock)',
        value: '0123456789abcdef0123456789abcdef01234567',
        details: [HOSTILE],
        proof: 'nixboot lock verify',
        ok: true,
        input: 'sed-key',
      },
    ],
    notes: [HOSTILE],
    markdown: '# Provenance\n',
  };
}

export function lockVerifyData(match: boolean): LockVerifyRequest.Result {
  return {
    input: 'nixpkgs',
    key: 'nixpkgs',
    source: 'github:NixOS/nixpkgs/0123456',
    expected: 'sha256-AAAA',
    actual: match ? 'sha256-AAAA' : 'sha256-BBBB',
    match,
    hashed: '/work/checkout',
    storePath: '/nix/store/dddd-source',
    commit: { oid: '0123456789abcdef0123456789abcdef01234567', time: 1_700_000_000, subject: HOSTILE },
    proof: 'nix hash path /work/checkout\n# line two',
    notes: [],
    location: { file: '/work/flake.lock', line: 3, character: 4 },
    gitLike: true,
    markdown: '# verify\n',
  };
}

export function findRevData(n: number): LockFindRevRequest.Result {
  return {
    narHash: 'sha256-AAAA',
    matches: Array.from({ length: n }, (_, i) => ({
      oid: `${i}`.padStart(40, 'a'),
      time: 1_700_000_000 + i,
      subject: i === 0 ? HOSTILE : `commit ${i}`,
    })),
    commitsConsidered: 120,
    treesHashed: 80,
    proof: 'git -C repo archive …',
    markdown: '# find-rev\n',
  };
}

export function initrdData(): InitrdInspectRequest.Result {
  return {
    file: `/work/${HOSTILE}.img`,
    segments: [{ offset: 0, compression: 'zstd', compressedSize: 1000, size: 4000, entries: 12 }],
    total: 4000,
    files: 12,
    topLevel: [
      { path: '/nix', size: 3000, files: 8 },
      { path: '/etc', size: 1000, files: 4 },
    ],
    storePaths: [{ path: '/nix/store/eeee-systemd-257', size: 3000, files: 8 }],
    largest: [{ path: `/etc/${HOSTILE}`, size: 900 }],
    kernelModules: [{ version: '6.12.59', modules: 3, size: 500 }],
    tree: [
      { path: '/nix', size: 3000 },
      { path: '/nix/store', size: 3000 },
      { path: '/etc', size: 1000 },
      { path: '/etc/systemd', size: 700 },
    ],
  };
}
