// Closures of store paths through the real Nix (`nix path-info --json --recursive`, which gives
// every requisite with its NAR size in one call), the closure diff that nvd and
// `nix store diff-closures` print, and a search over the closures of many generations.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { run, type RunOptions } from './exec';
import { parsePathInfoJson } from './store';

export interface ClosurePath {
  readonly path: string;
  readonly narSize: number;
}

export interface ClosureOptions extends Pick<RunOptions, 'env' | 'signal' | 'timeoutMs'> {
  /** System root: when its store is not this machine's, Nix is pointed at it with `--store ROOT`. */
  readonly root?: string;
  /** Query Nix even when the closure is cached (benchmarks). */
  readonly noCache?: boolean;
}

/** `--store ROOT` when the root's store is another one than this machine's. */
function storeArgs(root = '/'): string[] {
  const r = path.resolve(root);
  if (r === '/') return [];
  try {
    if (fs.realpathSync(path.join(r, 'nix', 'store')) === '/nix/store') return [];
  } catch {
    /* fall through */
  }
  return ['--store', r];
}

const cache = new Map<string, ClosurePath[]>();

/** Every requisite of `storePath` with its NAR size (cached: store paths are immutable). */
export async function queryClosure(storePath: string, opts: ClosureOptions = {}): Promise<ClosurePath[]> {
  const key = `${path.resolve(opts.root ?? '/')}\0${storePath}`;
  const hit = cache.get(key);
  if (hit && !opts.noCache) return hit;
  const r = await run(
    'nix',
    [
      '--extra-experimental-features',
      'nix-command',
      ...storeArgs(opts.root),
      'path-info',
      '--json',
      '--recursive',
      storePath,
    ],
    {
      env: opts.env,
      signal: opts.signal,
      timeoutMs: opts.timeoutMs ?? 120_000,
    },
  );
  const list = parsePathInfoJson(r.stdout)
    .filter((i) => i.valid)
    .map((i) => ({ path: i.path, narSize: i.narSize ?? 0 }));
  cache.set(key, list);
  return list;
}

/** Splits a store path's name like Nix's DrvName: the version starts at the first `-` followed by a digit. */
export function parseStoreName(storePath: string): { pname: string; version: string } {
  const base = storePath.slice(storePath.lastIndexOf('/') + 1);
  const name = /^[0-9a-df-np-sv-z]{32}-/.test(base) ? base.slice(33) : base;
  const m = /-(?=\d)/.exec(name);
  return m
    ? { pname: name.slice(0, m.index), version: name.slice(m.index + 1) }
    : { pname: name, version: '' };
}

export interface PackageChange {
  readonly pname: string;
  readonly kind: 'added' | 'removed' | 'changed';
  /** Versions before and after (sorted; `''` for paths without a version). */
  readonly before: string[];
  readonly after: string[];
  readonly sizeBefore: number;
  readonly sizeAfter: number;
  readonly sizeDelta: number;
}

export interface ClosureDiff {
  readonly changes: PackageChange[];
  readonly sizeBefore: number;
  readonly sizeAfter: number;
  readonly pathsBefore: number;
  readonly pathsAfter: number;
}

interface Group {
  versions: Set<string>;
  size: number;
  paths: Set<string>;
}

function group(closure: readonly ClosurePath[]): Map<string, Group> {
  const m = new Map<string, Group>();
  for (const p of closure) {
    const { pname, version } = parseStoreName(p.path);
    let g = m.get(pname);
    if (!g) m.set(pname, (g = { versions: new Set(), size: 0, paths: new Set() }));
    g.versions.add(version);
    g.size += p.narSize;
    g.paths.add(p.path);
  }
  return m;
}

const sameSet = (a: Set<string>, b: Set<string>) => a.size === b.size && [...a].every((x) => b.has(x));
const cmpVersion = (a: string, b: string) => a.localeCompare(b, 'en', { numeric: true });

/**
 * Packages added, removed and changed in version from closure `a` to closure `b`, with size deltas
 * (by package name, like `nix store diff-closures`). Packages whose versions stay the same but
 * whose size changes by at least `minSizeDelta` bytes (default 8 KiB) are reported as changed.
 */
export function diffClosures(
  a: readonly ClosurePath[],
  b: readonly ClosurePath[],
  minSizeDelta = 8 * 1024,
): ClosureDiff {
  const ga = group(a);
  const gb = group(b);
  const changes: PackageChange[] = [];
  for (const pname of new Set([...ga.keys(), ...gb.keys()])) {
    const x = ga.get(pname);
    const y = gb.get(pname);
    const before = x ? [...x.versions].sort(cmpVersion) : [];
    const after = y ? [...y.versions].sort(cmpVersion) : [];
    const sizeBefore = x?.size ?? 0;
    const sizeAfter = y?.size ?? 0;
    let kind: PackageChange['kind'] | undefined;
    if (!x) kind = 'added';
    else if (!y) kind = 'removed';
    else if (!sameSet(x.versions, y.versions) || Math.abs(sizeAfter - sizeBefore) >= minSizeDelta)
      kind = 'changed';
    if (kind)
      changes.push({ pname, kind, before, after, sizeBefore, sizeAfter, sizeDelta: sizeAfter - sizeBefore });
  }
  changes.sort((p, q) => p.pname.localeCompare(q.pname));
  const sum = (c: readonly ClosurePath[]) => c.reduce((s, p) => s + p.narSize, 0);
  return { changes, sizeBefore: sum(a), sizeAfter: sum(b), pathsBefore: a.length, pathsAfter: b.length };
}

/** Store paths in `closure` whose name matches `pattern` (a regex; case-insensitive when all lower case). */
export function matchClosure(closure: readonly ClosurePath[], pattern: string): string[] {
  let re: RegExp;
  try {
    re = new RegExp(pattern, pattern === pattern.toLowerCase() ? 'i' : '');
  } catch (e) {
    throw Object.assign(new Error(`invalid pattern '${pattern}': ${(e as Error).message}`), {
      code: 'EINVAL',
    });
  }
  return closure
    .filter((p) => re.test(p.path.slice(p.path.lastIndexOf('/') + 1).slice(33)))
    .map((p) => p.path);
}
