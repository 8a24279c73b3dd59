// Candidate checkouts of a flake.lock input, for "Find Commit Matching narHash": the git
// repositories near the workspace whose remote or name matches the input, and the location the
// lock names itself (`git+file:`, `path:`). Read as data, no git process: a repository's `config`
// is read for its `[remote "…"] url` values only (gitStore.ts reads it the same way).
//
// Bounded: only the places listed in `findCheckouts` are looked at, never a walk of the disk —
// each root itself, its children and its siblings (the children of its parent), at most
// MAX_ENTRIES names per directory listed and MAX_CHECKED directories in all.
import { existsSync, opendirSync, realpathSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { findInput, type FlakeLock, type LockInput } from '../nar/flakeLock';
import { gitDirs, readConfig } from './gitStore';
import { fileUrlPath, lockedLocation } from './provenance';

/** Names read from one directory listing at most. */
export const MAX_ENTRIES = 500;
/** Directories checked for a repository at most, over all listings. */
const MAX_CHECKED = 2000;

/**
 * How a candidate matched, strongest first: the lock names it (`locked`), a remote is the input's
 * repository (`remote`), a remote is a repository of the same name elsewhere — a fork or mirror
 * (`fork`), or only its directory name matches (`name`).
 */
export type CheckoutMatch = 'locked' | 'remote' | 'fork' | 'name';
const RANK: Record<CheckoutMatch, number> = { locked: 3, remote: 3, fork: 2, name: 1 };

export interface CheckoutCandidate {
  /** Absolute path of the work tree (or bare repository). */
  readonly path: string;
  readonly match: CheckoutMatch;
  /** `locked` and `remote`: the repository the lock means, not only a likely one. */
  readonly strong: boolean;
  /** Why it matched, one sentence each, strongest first. */
  readonly reasons: string[];
  /**
   * False for a location the lock names outside the allowed places: it is proposed, not opened
   * (docs/security.md, "Locations a flake.lock names"), so it may turn out not to be a repository.
   */
  readonly checked: boolean;
}

export interface FindCheckoutsOptions {
  /** Directories to look in and around (the workspace folders). */
  readonly roots: readonly string[];
  /** Directory of the flake.lock: also a root, and where relative locked locations resolve. */
  readonly lockDir?: string;
  /** Whether a location the lock names (real path) may be opened; default never (see VerifyOptions.followLocked). */
  readonly followLocked?: (realPath: string) => boolean;
}

/** Where an input comes from: a hosted repository (host, owner path, name) and/or a local path. */
export interface InputIdentity {
  readonly host?: string;
  /** `owner/repo` (gitlab subgroups included), lower case, no `.git`. */
  readonly slug?: string;
  /** The repository's name (last part of the slug), lower case. */
  readonly name?: string;
  /** A local location the lock names, with the field that names it. */
  readonly local?: { readonly path: string; readonly field: string };
}

const DEFAULT_HOST: Record<string, string> = {
  github: 'github.com',
  gitlab: 'gitlab.com',
  sourcehut: 'git.sr.ht',
};

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

function decode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** `owner/repo` from a URL path: slashes trimmed, `.git` dropped, lower case. */
function slugOf(path: string): string | undefined {
  const s = decode(path)
    .replace(/^\/+|\/+$/g, '')
    .replace(/\.git$/i, '')
    .replace(/\/+$/, '');
  return s.includes('/') ? s.toLowerCase() : undefined;
}

/**
 * A git remote URL as host and `owner/repo`, or a local path: `https://host/o/r.git`,
 * `ssh://git@host:22/o/r`, `git://host/o/r`, scp-like `git@host:o/r.git`, `file:///p`, `/p`.
 * Undefined for anything else (a relative path, a remote helper's `ext::…`).
 */
export function parseRemoteUrl(url: string): { host: string; slug: string } | { path: string } | undefined {
  const u = url.trim().replace(/^git\+/, '');
  if (u.startsWith('/')) return { path: u };
  if (/^file:/i.test(u)) return { path: fileUrlPath(u) };
  const m = /^[a-z][a-z0-9+.-]*:\/\/(?:[^@/]*@)?([^/:?#]+)(?::\d*)?(\/[^?#]*)/i.exec(u);
  const scp = m || u.includes('::') ? undefined : /^(?:[^@/:]+@)?([^/:]+):(?!\/\/)([^?#]+)$/.exec(u);
  const host = m?.[1] ?? scp?.[1];
  const slug = slugOf(m?.[2] ?? scp?.[2] ?? '');
  return host && slug ? { host: host.toLowerCase(), slug } : undefined;
}

/** The identity of a lock input from its `locked` and `original` attributes. */
export function inputIdentity(input: LockInput, lockDir: string | undefined): InputIdentity {
  const l = input.locked as Record<string, unknown>;
  const o = input.original ?? {};
  const type = input.locked.type;
  if (type in DEFAULT_HOST) {
    const owner = str(l.owner) ?? str(o.owner);
    const repo = str(l.repo) ?? str(o.repo);
    const host = (str(l.host) ?? str(o.host) ?? DEFAULT_HOST[type]!).toLowerCase();
    const slug = owner && repo ? slugOf(`${owner}/${repo}`) : undefined;
    return slug ? { host, slug, name: slug.slice(slug.lastIndexOf('/') + 1) } : {};
  }
  if (type === 'git') {
    for (const [field, v] of [
      ['locked.url', l.url],
      ['original.url', o.url],
    ] as const) {
      const url = str(v);
      if (!url) continue;
      const r = parseRemoteUrl(url);
      if (r && 'path' in r)
        return {
          local: { path: lockedLocation(r.path, lockDir), field },
          name:
            basename(r.path)
              .replace(/\.git$/i, '')
              .toLowerCase() || undefined,
        };
      if (r) return { host: r.host, slug: r.slug, name: r.slug.slice(r.slug.lastIndexOf('/') + 1) };
    }
    return {};
  }
  if (type === 'path') {
    for (const [field, v] of [
      ['locked.path', l.path],
      ['original.path', o.path],
    ] as const) {
      const p = str(v);
      if (p)
        return {
          local: { path: lockedLocation(p, lockDir), field },
          name: basename(p).toLowerCase() || undefined,
        };
    }
  }
  return {};
}

/** `[remote "NAME"] url = …` values of a git config text (read as data; includes and insteadOf are not followed). */
export function remoteUrls(config: string): { remote: string; url: string }[] {
  const out: { remote: string; url: string }[] = [];
  let remote: string | undefined;
  for (const raw of config.split('\n')) {
    let line = raw.trim();
    const sec = /^\[\s*([A-Za-z0-9.-]+)(?:\s+"((?:[^"\\]|\\.)*)")?\s*\]\s*(.*)$/.exec(line);
    if (sec) {
      const name = sec[1]!.toLowerCase();
      // `[remote "x"]`, or the old `[remote.x]` form.
      remote =
        name === 'remote' && sec[2] !== undefined
          ? sec[2].replace(/\\(.)/g, '$1')
          : name.startsWith('remote.')
            ? sec[1]!.slice(7)
            : undefined;
      line = sec[3]!;
    }
    if (remote === undefined) continue;
    const kv = /^url\s*=\s*(.*)$/i.exec(line);
    if (!kv) continue;
    const v = kv[1]!;
    // A value: quoted parts kept as they are, a comment (# or ;) outside quotes ends it.
    let value = '';
    let quoted = false;
    for (let i = 0; i < v.length; i++) {
      const c = v[i]!;
      if (c === '"') quoted = !quoted;
      else if (c === '\\' && i + 1 < v.length) value += v[++i];
      else if (!quoted && (c === '#' || c === ';')) break;
      else value += c;
    }
    if (value.trim()) out.push({ remote, url: value.trim() });
  }
  return out;
}

function realOrSelf(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    return p;
  }
}

/** Subdirectories of `dir` (names starting with '.' skipped), at most MAX_ENTRIES names read. */
function children(dir: string): string[] {
  const out: string[] = [];
  let d;
  try {
    d = opendirSync(dir);
  } catch {
    return out;
  }
  try {
    for (let n = 0; n < MAX_ENTRIES; n++) {
      const e = d.readSync();
      if (!e) break;
      if (e.name.startsWith('.') || !(e.isDirectory() || e.isSymbolicLink())) continue;
      out.push(join(dir, e.name));
    }
  } catch {
    // an unreadable directory ends its listing
  } finally {
    d.closeSync();
  }
  return out.sort();
}

function describeRemote(r: { host: string; slug: string } | { path: string }): string {
  return 'path' in r ? r.path : `${r.host}/${r.slug}`;
}

/** How the repository at `dir` matches `id`, strongest first; empty when it does not. */
function matchRepository(
  dir: string,
  id: InputIdentity,
  inputName: string,
): { match: CheckoutMatch; reason: string }[] {
  let config: string;
  try {
    config = readConfig(gitDirs(dir).commonDir);
  } catch {
    return [];
  }
  const found: { match: CheckoutMatch; reason: string }[] = [];
  const local = id.local && realOrSelf(id.local.path);
  for (const { remote, url } of remoteUrls(config)) {
    const r = parseRemoteUrl(url);
    if (!r) continue;
    if ('path' in r) {
      if (local && realOrSelf(resolve(dir, r.path)) === local)
        found.push({
          match: 'remote',
          reason: `remote ${remote} is ${r.path}, the repository the flake.lock names`,
        });
    } else if (id.slug && r.slug === id.slug && (!id.host || r.host === id.host)) {
      found.push({ match: 'remote', reason: `remote ${remote} is ${describeRemote(r)}` });
    } else if (id.name && r.slug.slice(r.slug.lastIndexOf('/') + 1) === id.name && (id.slug || id.host)) {
      found.push({
        match: 'fork',
        reason: `remote ${remote} is ${describeRemote(r)}, a fork or mirror of ${id.slug ?? id.name}`,
      });
    }
  }
  const base = basename(dir)
    .replace(/\.git$/i, '')
    .toLowerCase();
  const last = inputName.slice(inputName.lastIndexOf('/') + 1).toLowerCase();
  // The lock's own location is matched by that; its name adds nothing.
  if ((base === id.name || base === last) && realOrSelf(dir) !== local)
    found.push({ match: 'name', reason: `its directory is named ${basename(dir)}` });
  return found.sort((a, b) => RANK[b.match] - RANK[a.match]);
}

function isRepository(dir: string): boolean {
  try {
    gitDirs(dir);
    return true;
  } catch {
    return false;
  }
}

/**
 * Candidate repositories for searching the commit of input `name`: the location the lock names
 * (`git+file:` URL, `path:`) when it is a repository, then repositories among each root, its
 * children and its siblings whose remote or directory name matches. Strongest first; among equals,
 * in the order they were found (lock location, roots, their children, their siblings).
 */
export function findCheckouts(
  lock: FlakeLock,
  name: string,
  opts: FindCheckoutsOptions,
): CheckoutCandidate[] {
  const input = findInput(lock, name);
  const id = inputIdentity(input, opts.lockDir);
  const byPath = new Map<string, CheckoutCandidate>();
  const add = (path: string, match: CheckoutMatch, reasons: string[], checked = true): void => {
    const key = realOrSelf(path);
    const had = byPath.get(key);
    if (had) {
      const stronger = RANK[match] > RANK[had.match];
      const merged = stronger
        ? [...reasons, ...had.reasons.filter((r) => !reasons.includes(r))]
        : [...had.reasons, ...reasons.filter((r) => !had.reasons.includes(r))];
      const best = stronger ? match : had.match;
      byPath.set(key, {
        ...had,
        match: best,
        strong: RANK[best] >= 3,
        reasons: merged,
        checked: had.checked || checked,
      });
      return;
    }
    byPath.set(key, { path, match, strong: RANK[match] >= 3, reasons, checked });
  };

  if (id.local) {
    const real = realOrSelf(id.local.path);
    if (opts.followLocked?.(real)) {
      if (isRepository(real)) add(id.local.path, 'locked', [`the flake.lock names it (${id.local.field})`]);
    } else if (existsSync(id.local.path)) {
      // Outside the allowed places: only its existence is checked; it is read once the user picks it.
      add(
        id.local.path,
        'locked',
        [
          `the flake.lock names it (${id.local.field}); outside the workspace, so not opened until you choose it`,
        ],
        false,
      );
    }
  }

  const roots = [...opts.roots, ...(opts.lockDir ? [opts.lockDir] : [])].map((r) => resolve(r));
  const seen = new Set<string>();
  // A location the lock names that may not be opened stays unopened, even among the siblings.
  if (id.local && !opts.followLocked?.(realOrSelf(id.local.path))) seen.add(realOrSelf(id.local.path));
  const order: string[] = [];
  const visit = (d: string): void => {
    if (seen.size >= MAX_CHECKED) return;
    const key = realOrSelf(d);
    if (seen.has(key)) return;
    seen.add(key);
    order.push(d);
  };
  for (const r of roots) visit(r);
  for (const r of roots) for (const c of children(r)) visit(c);
  for (const r of roots) if (dirname(r) !== r) for (const c of children(dirname(r))) visit(c);

  for (const d of order) {
    try {
      if (!statSync(d).isDirectory()) continue;
    } catch {
      continue;
    }
    const m = matchRepository(d, id, name);
    if (m.length)
      add(
        d,
        m[0]!.match,
        m.map((x) => x.reason),
      );
  }
  return [...byPath.values()].sort((a, b) => RANK[b.match] - RANK[a.match]);
}
