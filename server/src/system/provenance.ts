// Provenance engine: verify flake.lock inputs against directories or git commits, find the commit
// whose tree has a given narHash, and trace a store path back to its source.
import { existsSync, lstatSync, realpathSync } from 'node:fs';
import { resolve as resolvePath } from 'node:path';
import { printable } from '../text';
import { readRegularFile } from '../files';
import { formatHash, parseSha256, toBase16 } from '../nar/encoding';
import {
  describeLocked,
  findInput,
  isGitLike,
  parseFlakeLock,
  type FlakeLock,
  type LockInput,
} from '../nar/flakeLock';
import { hashPath } from '../nar/nar';
import { quoteCommand } from './exec';
import { pathInfo, queryDeriver, readDerivation, toStorePath } from './store';
import { availableParallelism } from 'node:os';
import { HashLane } from './hashLanes';
import {
  GitObjectReader,
  GitTreeHasher,
  listCommits,
  resolveCommit,
  type CommitInfo,
  type TreeHashStats,
} from './git';

/** The path of a `file:` / `git+file:` URL (`file:///a/b`, `file:rel`, query and fragment dropped). */
export function fileUrlPath(url: string): string {
  const rest = url.replace(/^(git\+)?file:/, '').replace(/[?#].*$/, '');
  let path = rest;
  if (rest.startsWith('//')) {
    // `file://HOST/PATH`: an empty or `localhost` host names an absolute path; any other "host"
    // is really the first component of a relative path (`git+file://evil.git`).
    const m = /^\/\/([^/]*)(.*)$/.exec(rest)!;
    path = m[1] === '' || m[1] === 'localhost' ? m[2] || '/' : `${m[1]}${m[2]}`;
  }
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

/** Whether `p` (a real path) is `root` or inside it (both resolved through symlinks). */
export function isInside(p: string, root: string): boolean {
  let r: string;
  try {
    r = realpathSync(root);
  } catch {
    return false;
  }
  return p === r || p.startsWith(r.endsWith('/') ? r : `${r}/`);
}
/** A flake.lock is a few KiB; more than 64 MiB is not one. */
const MAX_LOCK_BYTES = 64 * 2 ** 20;

export async function readFlakeLock(file: string): Promise<FlakeLock> {
  return parseFlakeLock((await readRegularFile(file, MAX_LOCK_BYTES)).toString('utf8'));
}

export interface VerifyResult {
  readonly input: string;
  readonly key: string;
  readonly source: string;
  readonly expected: string;
  readonly actual: string;
  readonly match: boolean;
  /** What was hashed: a directory, or `git REPO REV`. */
  readonly hashed: string;
  readonly storePath?: string;
  /** For git: the commit time, and whether it equals `locked.lastModified`. */
  readonly commit?: CommitInfo;
  readonly lastModifiedMatches?: boolean;
  /** A shell command that proves the result with stock tools. */
  readonly proof: string;
  readonly notes: string[];
}

export interface VerifyOptions {
  readonly dir?: string;
  readonly git?: { readonly repo: string; readonly rev?: string };
  readonly signal?: AbortSignal;
  /**
   * Whether a location the lock names itself (`locked.url` of a `git+file` input, `locked.path`
   * of a `path` input), resolved to a real absolute path, may be read without the user naming it.
   * Default: never — the caller must pass `dir` or `git` (the CLI's DIR / --git REPO). The
   * language server allows paths inside the workspace folders (see docs/security.md).
   */
  readonly followLocked?: (realPath: string) => boolean;
  /** Directory of the flake.lock, against which relative locked paths resolve. */
  readonly lockDir?: string;
}

/** Thrown when the lock names a location the caller has not allowed; `path` is where it points. */
export class LockedLocationError extends Error {
  constructor(
    readonly input: string,
    readonly path: string,
    readonly field: 'locked.url' | 'locked.path',
    readonly kind: 'git' | 'dir',
  ) {
    super(
      `input '${printable(input)}' is locked to ${printable(path)} (${field}): that location is not read unless you name it`,
    );
    this.name = 'LockedLocationError';
  }
}

/** A lock-provided location, resolved against the lock's directory, symlinks followed when it exists. */
export function lockedLocation(p: string, lockDir: string | undefined): string {
  const abs = resolvePath(lockDir ?? '/', p);
  try {
    return realpathSync(abs);
  } catch {
    return abs;
  }
}

function expectedHash(input: LockInput): Uint8Array {
  if (!input.locked.narHash) throw new Error(`input '${input.paths[0] ?? input.key}' has no locked.narHash`);
  return parseSha256(input.locked.narHash);
}

/** Hashes a directory or a git commit and compares it with the input's `locked.narHash`. */
export async function verifyInput(lock: FlakeLock, name: string, opts: VerifyOptions): Promise<VerifyResult> {
  const input = findInput(lock, name);
  const expected = expectedHash(input);
  const notes: string[] = [];
  const gitLike = isGitLike(input.locked.type);
  if (input.locked.submodules)
    notes.push(
      'the input is locked with submodules = true: submodule contents are not read, so a mismatch is expected',
    );
  let actual: Uint8Array;
  let hashed: string;
  let proof: string;
  let commit: CommitInfo | undefined;
  if (
    !opts.git &&
    !opts.dir &&
    input.locked.type === 'git' &&
    typeof input.locked.url === 'string' &&
    /^(git\+)?file:/.test(input.locked.url)
  ) {
    const repo = lockedLocation(fileUrlPath(input.locked.url), opts.lockDir);
    if (!opts.followLocked?.(repo)) throw new LockedLocationError(name, repo, 'locked.url', 'git');
    opts = { ...opts, git: { repo } };
    notes.push(`repository taken from locked.url`);
  }
  if (opts.git) {
    const rev = opts.git.rev ?? input.locked.rev;
    if (!rev) throw new Error(`input '${name}' has no locked.rev: give --rev`);
    commit = await resolveCommit(opts.git.repo, rev, opts.signal);
    const reader = new GitObjectReader(opts.git.repo);
    try {
      actual = (await new GitTreeHasher(reader).hashTree(commit.tree, opts.signal)).hash;
    } finally {
      reader.close();
    }
    hashed = `git ${opts.git.repo} ${commit.oid}`;
    proof = `d=$(mktemp -d) && git -C ${quoteCommand(opts.git.repo, [])} archive ${commit.oid} | tar -x -C "$d" && nix hash path "$d"`;
    if (input.locked.rev && input.locked.rev !== commit.oid)
      notes.push(`locked.rev is ${input.locked.rev}, hashed ${commit.oid}`);
  } else {
    let dir = opts.dir;
    if (!dir) {
      if (input.locked.type === 'path' && typeof input.locked.path === 'string') {
        dir = lockedLocation(input.locked.path, opts.lockDir);
        if (!opts.followLocked?.(dir)) throw new LockedLocationError(name, dir, 'locked.path', 'dir');
      } else if (input.storePath && existsSync(input.storePath)) dir = input.storePath;
      else
        throw new Error(
          `needsCheckout: give a directory or a git repository for input '${name}' (its store path ${input.storePath ?? '?'} is not present)`,
        );
    }
    if (!lstatSync(dir).isDirectory() && !lstatSync(dir).isFile())
      throw new Error(`${dir} is neither a directory nor a file`);
    const excludeGit = gitLike && existsSync(`${dir}/.git`);
    if (excludeGit) notes.push('.git excluded (git inputs hash the commit tree only)');
    actual = (
      await hashPath(dir, { signal: opts.signal, exclude: excludeGit ? (p) => p === '.git' : undefined })
    ).hash;
    hashed = dir;
    proof = excludeGit
      ? `nix hash path ${quoteCommand(dir, [])}  # after removing .git from a copy`
      : `nix hash path ${quoteCommand(dir, [])}`;
    if (input.locked.type === 'path')
      notes.push('path inputs hash everything in the directory, .git included');
  }
  const match = Buffer.compare(Buffer.from(actual), Buffer.from(expected)) === 0;
  const lastModifiedMatches =
    commit && input.locked.lastModified !== undefined ? commit.time === input.locked.lastModified : undefined;
  if (lastModifiedMatches === false && gitLike)
    notes.push(`commit time ${commit!.time} differs from locked.lastModified ${input.locked.lastModified}`);
  return {
    input: input.paths[0] ?? input.key,
    key: input.key,
    source: describeLocked(input.locked),
    expected: formatHash(expected, 'sri'),
    actual: formatHash(actual, 'sri'),
    match,
    hashed,
    storePath: input.storePath,
    commit,
    lastModifiedMatches,
    proof,
    notes,
  };
}

export interface FindRevOptions {
  readonly repo: string;
  /** Most commits to consider (default 5000). */
  readonly limit?: number;
  /** Keep going after the first matching tree. */
  readonly all?: boolean;
  readonly signal?: AbortSignal;
  readonly onProgress?: (done: number, total: number) => void;
  /**
   * Worker threads that hash in parallel once the first trees did not match (default: one per
   * core, at most 4, on machines with more than one core and for 64 or more remaining trees;
   * 0: hash on the calling thread).
   */
  readonly lanes?: number;
}

export interface FindRevResult {
  readonly narHash: string;
  readonly matches: CommitInfo[];
  /** Commits considered, distinct trees hashed. */
  readonly commitsConsidered: number;
  readonly treesHashed: number;
  /** Worker threads that hashed trees (0: all hashed on the calling thread). */
  readonly lanes: number;
  readonly stats: TreeHashStats;
  readonly proof: string;
}

/**
 * Orders candidate commits: a known `rev` first, then (when `lastModified` is known) by distance
 * of the commit time to it — for git/github inputs it is exactly the commit time — then newest first.
 */
export function orderCandidates(
  commits: CommitInfo[],
  hints: { rev?: string; lastModified?: number },
): CommitInfo[] {
  const idx = new Map(commits.map((c, i) => [c.oid, i]));
  return [...commits].sort((a, b) => {
    if (hints.rev) {
      if (a.oid === hints.rev) return -1;
      if (b.oid === hints.rev) return 1;
    }
    if (hints.lastModified !== undefined) {
      const d = Math.abs(a.time - hints.lastModified) - Math.abs(b.time - hints.lastModified);
      if (d !== 0) return d;
    }
    return idx.get(a.oid)! - idx.get(b.oid)!;
  });
}

/** Trees whose git objects are requested ahead of the one being hashed. */
const PREFETCH = 8;
/** Trees hashed one by one on the main thread before lanes start (a hinted search ends here). */
const HEAD = 16;
/** Fewest remaining trees worth starting hashing lanes for. */
const LANES_FROM = 64;

/** Walks a repository's history for commits whose tree NAR-hashes to `narHash`. */
export async function findRev(
  narHash: string,
  hints: { rev?: string; lastModified?: number },
  opts: FindRevOptions,
): Promise<FindRevResult> {
  const want = toBase16(parseSha256(narHash));
  const commits = orderCandidates(await listCommits(opts.repo, opts.limit ?? 5000, opts.signal), hints);
  const reader = new GitObjectReader(opts.repo);
  const hasher = new GitTreeHasher(reader);
  // Distinct trees in visiting order, and the first commit index of each.
  const order: string[] = [];
  const firstCommit: number[] = [];
  const byTree = new Map<string, CommitInfo[]>();
  commits.forEach((c, i) => {
    const l = byTree.get(c.tree);
    if (l) l.push(c);
    else {
      byTree.set(c.tree, [c]);
      order.push(c.tree);
      firstCommit.push(i);
    }
  });
  const matches: CommitInfo[] = [];
  // Trees [0, settled) are hashed and checked in order; `stop` once the answer is known.
  const results: (Uint8Array | undefined)[] = new Array(order.length);
  let settled = 0;
  let stop = false;
  const settle = (): void => {
    while (!stop && settled < order.length && results[settled]) {
      const t = settled++;
      opts.onProgress?.(t + 1 < order.length ? firstCommit[t + 1]! : commits.length, commits.length);
      if (toBase16(results[t]!) === want) {
        matches.push(...byTree.get(order[t]!)!);
        if (!opts.all) stop = true;
      }
    }
  };
  const prefetch = (from: number, to: number): void => {
    for (let j = from; j < Math.min(to, order.length); j++) hasher.prefetch(order[j]!, opts.signal);
  };
  const lanes: HashLane[] = [];
  let hashedOnLanes = 0;
  let reusedOnLanes = 0;
  // Lanes are started now (a worker takes ~20 ms to boot) if the walk may need them.
  const planned =
    order.length <= HEAD || (opts.lanes === undefined && order.length - HEAD < LANES_FROM)
      ? 0
      : Math.max(0, Math.min(opts.lanes ?? (availableParallelism() > 1 ? availableParallelism() : 0), 4));
  try {
    for (let k = 0; k < planned; k++) lanes.push(new HashLane());
    // The first trees on this thread: with a rev or lastModified hint the match is usually first.
    for (let i = 0; i < Math.min(HEAD, order.length) && !stop; i++) {
      if (opts.signal?.aborted) throw new Error('cancelled');
      prefetch(i + 1, i + 1 + PREFETCH);
      results[i] = (await hasher.hashTree(order[i]!, opts.signal)).hash;
      settle();
    }
    const rest = order.length - settled;
    const laneCount = stop || rest === 0 ? 0 : planned;
    if (laneCount === 0) {
      for (let i = settled; i < order.length && !stop; i++) {
        if (opts.signal?.aborted) throw new Error('cancelled');
        prefetch(i + 1, i + 1 + PREFETCH);
        results[i] = (await hasher.hashTree(order[i]!, opts.signal)).hash;
        settle();
      }
    } else {
      // Each lane takes a contiguous run of the remaining trees (neighbours share NAR prefixes).
      const begin = settled;
      const per = Math.ceil(rest / laneCount);
      const runLane = async (lane: HashLane, from: number, to: number): Promise<void> => {
        const sent: Promise<void>[] = [];
        for (let i = from; i < to && !stop; i++) {
          if (opts.signal?.aborted) throw new Error('cancelled');
          prefetch(i + 1, Math.min(to, i + 1 + PREFETCH));
          const root = await hasher.narOf(order[i]!, opts.signal);
          const done = lane.hash(root).then((h) => {
            results[i] = h;
            settle();
          });
          done.catch(() => undefined); // awaited below; a failing lane rejects all its queue at once
          sent.push(done);
          // Keep two NARs queued per lane: the worker never waits, memory stays bounded.
          if (sent.length > 2) await sent.shift();
        }
        await Promise.all(sent);
      };
      const runs = lanes.map((lane, k) =>
        runLane(lane, begin + k * per, Math.min(order.length, begin + (k + 1) * per)),
      );
      try {
        await Promise.all(runs);
      } catch (e) {
        stop = true;
        await Promise.allSettled(runs);
        throw e;
      }
      if (opts.signal?.aborted) throw new Error('cancelled');
      for (const l of lanes) {
        hashedOnLanes += l.bytesHashed;
        reusedOnLanes += l.bytesReused;
      }
    }
  } finally {
    reader.close();
    await Promise.all(lanes.map((l) => l.close()));
  }
  const considered = stop && matches.length > 0 ? firstCommit[settled - 1]! + 1 : commits.length;
  const first = matches[0];
  const stats = { ...hasher.stats };
  stats.bytesHashed += hashedOnLanes;
  stats.prefixBytesReused += reusedOnLanes;
  return {
    narHash: formatHash(parseSha256(narHash), 'sri'),
    matches,
    commitsConsidered: considered,
    treesHashed: settled,
    lanes: hashedOnLanes > 0 ? lanes.length : 0,
    stats,
    proof: first
      ? `d=$(mktemp -d) && git -C ${quoteCommand(opts.repo, [])} archive ${first.oid} | tar -x -C "$d" && nix hash path "$d"`
      : `for c in $(git -C ${quoteCommand(opts.repo, [])} rev-list --all); do … nix hash path …; done`,
  };
}

/** Convenience for a lock input: its narHash and the hints it carries. */
export async function findRevForInput(
  lock: FlakeLock,
  name: string,
  opts: FindRevOptions,
): Promise<FindRevResult & { input: LockInput }> {
  const input = findInput(lock, name);
  expectedHash(input);
  const r = await findRev(
    input.locked.narHash!,
    { rev: input.locked.rev, lastModified: input.locked.lastModified },
    opts,
  );
  return { ...r, input };
}

// ---------------------------------------------------------------------------------------------
// Chain of evidence: file → store path → deriver → sources → flake.lock input → git commit.

export interface ChainLink {
  readonly kind:
    'file' | 'storePath' | 'pathInfo' | 'deriver' | 'derivation' | 'source' | 'lockInput' | 'commit';
  readonly title: string;
  readonly value: string;
  readonly details: string[];
  /** The command that shows this link with stock tools. */
  readonly proof: string;
  readonly ok: boolean;
  /** For `lockInput` and `commit`: the flake.lock node key. */
  readonly input?: string;
}

export interface ChainOptions {
  /** flake.lock to match sources against. */
  readonly lockFile?: string;
  /** Git repository of the matched input, to name the commit. */
  readonly repo?: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly signal?: AbortSignal;
  /** Most commits to search when the lock gives no rev (default 2000). */
  readonly limit?: number;
}

export interface ChainResult {
  readonly subject: string;
  readonly links: ChainLink[];
  readonly notes: string[];
}

function q(s: string): string {
  return quoteCommand(s, []);
}

/** Builds the chain of evidence for a file or store path. Never throws for missing links: they become notes. */
export async function provenanceChain(subject: string, opts: ChainOptions = {}): Promise<ChainResult> {
  const links: ChainLink[] = [];
  const notes: string[] = [];
  const qo = { env: opts.env, signal: opts.signal };
  const sp = toStorePath(subject);
  if (!sp) throw new Error(`${subject} is not in the Nix store (and does not resolve into it)`);
  if (sp.sub || subject !== sp.storePath) {
    links.push({
      kind: 'file',
      title: 'File',
      value: subject,
      details: sp.sub ? [`inside ${sp.storePath} at ${sp.sub}`] : [],
      proof: `realpath ${q(subject)}`,
      ok: true,
    });
  }
  const storePath = sp.storePath;
  links.push({
    kind: 'storePath',
    title: 'Store path',
    value: storePath,
    details: [],
    proof: `realpath ${q(subject)}`,
    ok: true,
  });
  let info: Awaited<ReturnType<typeof pathInfo>> | undefined;
  try {
    info = await pathInfo(storePath, qo);
    if (info.valid) {
      links.push({
        kind: 'pathInfo',
        title: 'Path info',
        value: info.narHash ?? '?',
        details: [
          `narSize ${info.narSize ?? '?'}`,
          ...(info.ca ? [`ca ${info.ca}`] : []),
          `${info.references.length} references`,
        ],
        proof: `nix path-info --json ${q(storePath)}`,
        ok: true,
      });
    } else notes.push(`${storePath} is not valid in this store`);
  } catch (e) {
    notes.push(`path info unavailable: ${(e as Error).message}`);
  }
  const sources = new Map<string, string | undefined>(); // source store path → narHash if known
  if (/-source$/.test(storePath)) sources.set(storePath, info?.narHash);
  let deriver = info?.deriver;
  if (!deriver) {
    try {
      deriver = await queryDeriver(storePath, qo);
    } catch (e) {
      notes.push(`deriver unavailable: ${(e as Error).message}`);
    }
  }
  if (deriver) {
    links.push({
      kind: 'deriver',
      title: 'Deriver',
      value: deriver,
      details: [],
      proof: `nix-store --query --deriver ${q(storePath)}`,
      ok: true,
    });
    try {
      const drv = await readDerivation(deriver);
      const outs = Object.entries(drv.outputs).map(
        ([n, o]) => `${n} → ${o.path}${o.hash ? ` (fixed ${o.hashAlgo}:${o.hash})` : ''}`,
      );
      const srcAttr = [drv.env.src, drv.env.srcs]
        .filter((s): s is string => !!s)
        .flatMap((s) => s.split(/\s+/))
        .filter((s) => s.startsWith('/'));
      links.push({
        kind: 'derivation',
        title: 'Derivation',
        value: drv.env.name ?? deriver,
        details: [
          ...outs.map((o) => `output ${o}`),
          ...srcAttr.map((s) => `src ${s}`),
          `${drv.inputSrcs.length} input sources, ${Object.keys(drv.inputDrvs).length} input derivations`,
        ],
        proof: `nix show-derivation ${q(deriver)}  # newer Nix: nix derivation show`,
        ok: true,
      });
      for (const s of [...srcAttr, ...drv.inputSrcs.filter((p) => /-source$/.test(p))])
        if (!sources.has(s)) sources.set(s, undefined);
      // fixed-output sources: narHash straight from the source derivation
      for (const inDrv of Object.keys(drv.inputDrvs)) {
        try {
          const d2 = await readDerivation(inDrv);
          const o = d2.outputs.out;
          if (o && sources.has(o.path) && o.hashAlgo === 'r:sha256' && o.hash)
            sources.set(o.path, formatHash(Buffer.from(o.hash, 'hex'), 'sri'));
        } catch {
          /* unreadable input derivation: skipped */
        }
      }
    } catch (e) {
      notes.push(`cannot read ${deriver}: ${(e as Error).message}`);
    }
  } else
    notes.push('no deriver recorded (a source added to the store, or a substituted path without deriver)');
  // narHash of each source
  for (const [s, known] of sources) {
    let h = known;
    let how = 'fixed-output derivation';
    if (!h) {
      try {
        const i = await pathInfo(s, qo);
        h = i.valid ? i.narHash : undefined;
        how = 'nix path-info';
      } catch {
        /* try hashing */
      }
    }
    if (!h && existsSync(s)) {
      h = formatHash((await hashPath(s, { signal: opts.signal })).hash, 'sri');
      how = 'hashed here';
    }
    sources.set(s, h);
    links.push({
      kind: 'source',
      title: 'Source',
      value: s,
      details: [h ? `narHash ${h} (${how})` : 'narHash unknown (path absent)'],
      proof: `nix hash path ${q(s)}`,
      ok: !!h,
    });
  }
  if (sources.size === 0) notes.push('no source store path (`src`, `*-source` inputs) found');
  // flake.lock
  if (opts.lockFile) {
    const lock = await readFlakeLock(opts.lockFile);
    let matched: { input: LockInput; source: string } | undefined;
    for (const [s, h] of sources) {
      const hex = h ? safeHex(h) : undefined;
      const input = lock.inputs.find(
        (i) =>
          i.storePath === s ||
          (hex !== undefined && i.locked.narHash !== undefined && safeHex(i.locked.narHash) === hex),
      );
      if (input) {
        matched = { input, source: s };
        break;
      }
    }
    if (matched) {
      const { input } = matched;
      links.push({
        kind: 'lockInput',
        title: 'flake.lock input',
        value: input.paths[0] ?? input.key,
        details: [
          describeLocked(input.locked),
          `narHash ${input.locked.narHash}`,
          `store path ${input.storePath}`,
          ...(input.locked.lastModified
            ? [`lastModified ${new Date(input.locked.lastModified * 1000).toISOString()}`]
            : []),
        ],
        proof: `jq '.nodes[${JSON.stringify(input.key)}].locked' ${q(opts.lockFile)}`,
        ok: true,
        input: input.key,
      });
      if (opts.repo && isGitLike(input.locked.type)) {
        if (input.locked.rev) {
          const r = await verifyInput(lock, input.key, { git: { repo: opts.repo }, signal: opts.signal });
          links.push({
            kind: 'commit',
            title: 'Git commit',
            value: r.commit!.oid,
            details: [
              r.commit!.subject,
              r.match ? `tree hashes to ${r.actual}` : `MISMATCH: tree hashes to ${r.actual}`,
            ],
            proof: r.proof,
            ok: r.match,
            input: input.key,
          });
        } else {
          const f = await findRev(
            input.locked.narHash!,
            { lastModified: input.locked.lastModified },
            { repo: opts.repo, limit: opts.limit ?? 2000, signal: opts.signal },
          );
          const c = f.matches[0];
          if (c)
            links.push({
              kind: 'commit',
              title: 'Git commit',
              value: c.oid,
              details: [c.subject, `found among ${f.commitsConsidered} commits`],
              proof: f.proof,
              ok: true,
              input: input.key,
            });
          else
            notes.push(
              `no commit among ${f.commitsConsidered} in ${opts.repo} has narHash ${input.locked.narHash}`,
            );
        }
      } else if (input.locked.rev) {
        links.push({
          kind: 'commit',
          title: 'Git commit (from the lock)',
          value: input.locked.rev,
          details: ['not checked: give a repository to verify it'],
          proof: `nixboot lock verify --lock ${q(opts.lockFile)} ${input.key} --git REPO`,
          ok: true,
          input: input.key,
        });
      }
    } else notes.push(`no input of ${opts.lockFile} matches the sources' narHash or store path`);
  }
  return { subject, links, notes };
}

function safeHex(h: string): string | undefined {
  try {
    return toBase16(parseSha256(h));
  } catch {
    return undefined;
  }
}
