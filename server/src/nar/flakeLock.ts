// flake.lock reading (versions 4–7; format of NixOS/nix `src/libflake/lockfile.cc`). Pure code.
// Each node: `inputs` (name → node key, or a list = a `follows` path from the root), `original`,
// `locked` (type, owner/repo/url/path, rev, ref, lastModified, narHash …), optional `flake: false`.
import { describeData, printable } from '../text';
import { fixedOutputPath, parseSha256, toBase16 } from './encoding';

/** A name from the file in a message: escaped and at most 100 characters. */
const short = (s: string): string => printable(s.length > 100 ? `${s.slice(0, 100)}…` : s);

export interface LockedRef {
  readonly type: string;
  readonly narHash?: string;
  readonly rev?: string;
  readonly ref?: string;
  readonly lastModified?: number;
  readonly owner?: string;
  readonly repo?: string;
  readonly url?: string;
  readonly path?: string;
  readonly dir?: string;
  readonly submodules?: boolean;
  readonly [k: string]: unknown;
}

export interface LockInput {
  /** The node key in `nodes` (e.g. `nixpkgs`, `nixpkgs_2`). */
  readonly key: string;
  /** Input paths from the root that reach this node (e.g. `nixpkgs`, `home-manager/nixpkgs`). */
  readonly paths: string[];
  readonly locked: LockedRef;
  readonly original?: Record<string, unknown>;
  readonly flake: boolean;
  /** Store path implied by `locked.narHash` (name `source`), when the hash parses. */
  readonly storePath?: string;
}

export interface FlakeLock {
  readonly version: number;
  readonly root: string;
  readonly inputs: LockInput[];
}

export class FlakeLockError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FlakeLockError';
  }
}

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Attributes of `locked` that are strings wherever Nix reads them. */
const STRING_ATTRS = ['rev', 'ref', 'owner', 'repo', 'url', 'path', 'dir', 'host'] as const;

/** Parses flake.lock text. Throws FlakeLockError with a readable message on anything malformed. */
export function parseFlakeLock(text: string): FlakeLock {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    // Where, never what: V8's message quotes the text, and --lock may name any file.
    const at = /position (\d+)/.exec((e as Error).message);
    if (!at)
      throw new FlakeLockError(
        `flake.lock is not valid JSON (${describeData(Buffer.from(text.slice(0, 512)))})`,
      );
    const before = text.slice(0, Number(at[1]));
    const line = before.split('\n').length;
    throw new FlakeLockError(
      `flake.lock is not valid JSON: syntax error at line ${line}, column ${before.length - before.lastIndexOf('\n')}`,
    );
  }
  if (!isObj(json)) throw new FlakeLockError('flake.lock is not a JSON object');
  const version = json.version;
  if (typeof version !== 'number') throw new FlakeLockError('flake.lock has no numeric "version"');
  if (version < 4 || version > 7)
    throw new FlakeLockError(`flake.lock version ${version} is not supported (4–7)`);
  const nodes = json.nodes;
  if (!isObj(nodes)) throw new FlakeLockError('flake.lock has no "nodes" object');
  const root = typeof json.root === 'string' ? json.root : 'root';
  if (!isObj(nodes[root]))
    throw new FlakeLockError('flake.lock has no root node (the node its "root" names)');

  // A follows path is resolved from the root; a follows met on the way is resolved first. As Nix
  // does (NixOS/nix src/libflake/lockfile.cc, doFind), a path met again while it is being
  // resolved is a cycle and an error. Resolved paths are remembered: every path is resolved once.
  const resolved = new Map<string, string | undefined>();
  const resolving: string[] = [];
  const resolvePath = (path: string[]): string | undefined => {
    const label = path.join('/');
    if (resolved.has(label)) return resolved.get(label);
    const at = resolving.indexOf(label);
    if (at >= 0)
      throw new FlakeLockError(
        `flake.lock: follow cycle detected: [${[...resolving.slice(at), label].join(' -> ')}]`,
      );
    if (resolving.length >= 64)
      throw new FlakeLockError(
        `flake.lock: a follows chain longer than 64: ${resolving.slice(0, 3).join(' -> ')} -> …`,
      );
    resolving.push(label);
    let key: string | undefined = root;
    for (const name of path) {
      const n: unknown = nodes[key];
      if (!isObj(n) || !isObj(n.inputs)) {
        key = undefined;
        break;
      }
      const t: unknown = n.inputs[name];
      if (typeof t === 'string') key = t;
      else if (Array.isArray(t)) key = resolvePath(t.map(String));
      else key = undefined;
      if (key === undefined) break;
    }
    resolving.pop();
    resolved.set(label, key);
    return key;
  };

  const paths = new Map<string, string[]>();
  const seen = new Set<string>();
  const walk = (key: string, prefix: string[], depth: number): void => {
    if (depth > 64) return;
    const n = nodes[key];
    if (!isObj(n) || !isObj(n.inputs)) return;
    for (const [name, target] of Object.entries(n.inputs)) {
      const p = [...prefix, name];
      const k =
        typeof target === 'string'
          ? target
          : Array.isArray(target)
            ? resolvePath(target.map(String))
            : undefined;
      if (k === undefined || k === root) continue;
      const list = paths.get(k) ?? [];
      list.push(p.join('/'));
      paths.set(k, list);
      if (typeof target === 'string' && !seen.has(`${key}>${name}`)) {
        seen.add(`${key}>${name}`);
        walk(k, p, depth + 1);
      }
    }
  };
  walk(root, [], 0);

  const inputs: LockInput[] = [];
  for (const [key, n] of Object.entries(nodes)) {
    if (key === root || !isObj(n)) continue;
    const lockedRaw = isObj(n.locked) ? n.locked : undefined;
    if (!lockedRaw) continue;
    for (const f of STRING_ATTRS) {
      if (lockedRaw[f] !== undefined && typeof lockedRaw[f] !== 'string')
        throw new FlakeLockError(`flake.lock node '${key}': locked.${f} is not a string`);
    }
    if (lockedRaw.lastModified !== undefined && typeof lockedRaw.lastModified !== 'number')
      throw new FlakeLockError(`flake.lock node '${key}': locked.lastModified is not a number`);
    const narHash =
      typeof lockedRaw.narHash === 'string'
        ? lockedRaw.narHash
        : isObj(n.info) && typeof n.info.narHash === 'string'
          ? n.info.narHash
          : undefined;
    const locked = { ...lockedRaw, type: String(lockedRaw.type ?? 'unknown'), narHash } as LockedRef;
    let storePath: string | undefined;
    if (narHash) {
      try {
        storePath = fixedOutputPath(parseSha256(narHash), 'source');
      } catch {
        storePath = undefined;
      }
    }
    inputs.push({
      key,
      paths: paths.get(key) ?? [],
      locked,
      original: isObj(n.original) ? n.original : undefined,
      flake: n.flake !== false,
      storePath,
    });
  }
  return { version, root, inputs };
}

/** Finds an input by root input path (`nixpkgs`, `a/b`) or node key. */
export function findInput(lock: FlakeLock, name: string): LockInput {
  const byPath = lock.inputs.find((i) => i.paths.includes(name));
  if (byPath) return byPath;
  const byKey = lock.inputs.find((i) => i.key === name);
  if (byKey) return byKey;
  const names = [...new Set(lock.inputs.flatMap((i) => (i.paths.length ? i.paths : [i.key])))].sort();
  throw new FlakeLockError(
    `no input '${short(name)}' in flake.lock (inputs: ${names.map(short).join(', ') || 'none'})`,
  );
}

/** Input types whose narHash covers a git tree (no `.git`), whose lastModified is a commit time. */
export function isGitLike(type: string): boolean {
  return type === 'git' || type === 'github' || type === 'gitlab' || type === 'sourcehut';
}

/** A short description of where a locked input comes from. */
export function describeLocked(l: LockedRef): string {
  const rev = l.rev ? `/${l.rev.slice(0, 12)}` : '';
  if (l.type === 'github' || l.type === 'gitlab' || l.type === 'sourcehut')
    return `${l.type}:${l.owner}/${l.repo}${rev}`;
  if (l.type === 'git' || l.type === 'tarball' || l.type === 'file') {
    const url = l.url ?? '?';
    // `git+file://x` already names its type: do not print `git+git+file://x`.
    return `${url.startsWith(`${l.type}+`) ? '' : `${l.type}+`}${url}${l.rev ? `?rev=${l.rev}` : ''}`;
  }
  if (l.type === 'path') return `path:${l.path ?? '?'}`;
  return l.type;
}

export function narHashHex(l: LockedRef): string | undefined {
  try {
    return l.narHash ? toBase16(parseSha256(l.narHash)) : undefined;
  } catch {
    return undefined;
  }
}
