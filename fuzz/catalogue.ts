// The fuzz targets' names, what they cover and their input sizes (the code is in targets.ts; this
// list is kept apart so that the orchestrator, fuzz/main.ts, does not load the engine itself).

export interface TargetInfo {
  readonly name: string;
  readonly description: string;
  /** Repository files whose coverage is reported for this target. */
  readonly files: readonly string[];
  /** Largest input the fuzzer makes. */
  readonly maxLen: number;
  /** Not run by default (the harness's own check). */
  readonly hidden?: boolean;
}

const SEGMENTS = ['server/src/initrd/segments.ts', 'server/src/initrd/cpio.ts'];

export const TARGET_INFO: readonly TargetInfo[] = [
  {
    name: 'nix-parser',
    description: 'syntax/: parse, print back, incremental reparse = full parse',
    files: [
      'server/src/syntax/lexer.ts',
      'server/src/syntax/parser.ts',
      'server/src/syntax/incremental.ts',
      'server/src/syntax/print.ts',
    ],
    maxLen: 8192,
  },
  {
    name: 'shell',
    description: 'shell/: Nix string → shell text mapping, shell analysis',
    files: ['server/src/shell/source.ts', 'server/src/shell/analyze.ts', 'server/src/syntax/decode.ts'],
    maxLen: 4096,
  },
  {
    name: 'cpio',
    description: 'initrd/cpio.ts: CpioReader, same result for any chunking',
    files: ['server/src/initrd/cpio.ts'],
    maxLen: 16 * 1024,
  },
  {
    name: 'archive',
    description: 'initrd/archive.ts: openArchive (PE/UKI too), index, list/resolve/read',
    files: ['server/src/initrd/archive.ts', ...SEGMENTS],
    maxLen: 64 * 1024,
  },
  ...['gzip', 'zstd', 'xz', 'lzma', 'bzip2', 'lz4-legacy', 'lz4'].map((codec) => ({
    name: `decompress-${codec}`,
    description: `initrd/segments.ts: the ${codec} path (input follows the ${codec} magic)${codec === 'lzma' || codec === 'bzip2' ? '; decoded by the system tool, as segments.ts does' : ''}`,
    files: SEGMENTS,
    maxLen: 64 * 1024,
  })),
  {
    name: 'nar',
    description: 'nar/nar.ts: parseNar, ASCII NARs rewrite byte for byte',
    files: ['server/src/nar/nar.ts'],
    maxLen: 16 * 1024,
  },
  {
    name: 'flake-lock',
    description: 'nar/flakeLock.ts: parseFlakeLock, findInput',
    files: ['server/src/nar/flakeLock.ts'],
    maxLen: 16 * 1024,
  },
  {
    name: 'selftest',
    description:
      'the harness itself: an input starting "CRASH" throws a TypeError, "HANG" loops forever, "OOM" allocates without end',
    files: [],
    maxLen: 64,
    hidden: true,
  },
  {
    name: 'git-objects',
    description:
      'system/gitStore.ts: a repository with a loose object, a pack + index and packed-refs from the input, read through GitStore; parseTree, parseCommit, tree → NAR hash',
    files: ['server/src/system/gitStore.ts', 'server/src/system/git.ts'],
    maxLen: 32 * 1024,
  },
];
