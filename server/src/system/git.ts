// Git access for provenance: objects read straight from the repository's files (gitStore.ts —
// no git process, so nothing the repository configures can run), commit listing, and NAR
// serialisation of a commit's tree from git objects — no checkout, `.git` never included.
//
// A tree's NAR is a node of pieces (buffers in shared memory, subtree nodes, and references to
// large blobs that are streamed when hashed) cached by tree id, file NARs by blob id: a commit
// that changed one file rebuilds only the directories on its path, from one blob read. Hashing
// resumes from the SHA-256 state saved before the first byte that differs from the previously
// hashed NAR (here, or on worker threads: hashLanes.ts).
//
// Memory: file contents up to INLINE bytes are held in the NAR pieces (bounded by the caches
// below); larger files are never held whole: their NAR holds a reference, and hashing streams the
// blob from the pack or loose object in slices. A tree repeating one 256 MiB blob eight times
// costs one slice buffer, not 2 GiB.
//
// Tree → NAR rules (what Nix's git fetchers produce, verified against checkout + `nix hash path`):
//   mode 040000 → directory; 100644/100664 → regular file; 100755 → executable file;
//   120000 → symlink whose target is the blob's bytes; 160000 (submodule) → empty directory
//   (Nix without `submodules = true` leaves an empty directory where a submodule is).
// Entries are re-sorted by the bytes of their names: git sorts a directory `foo` as `foo/`, so
// `foo.txt` comes before `foo` in git but after it in a NAR.
// `.gitattributes` filters (eol, export-ignore, export-subst) are NOT applied: a github tarball
// or a git fetcher that honours export-ignore can therefore hash differently.
import { createHash, type Hash } from 'node:crypto';
import { printable } from '../text';
import { GitStore, type ObjectInfo, type StoredObject } from './gitStore';

export type GitObject = StoredObject;

/**
 * Reads objects of one repository (ids or revisions such as `HEAD^{tree}`) without running git.
 * The repository is opened on first use, so errors (not a repository …) surface from `read`.
 * Call `close()` when done.
 */
export class GitObjectReader {
  private store: GitStore | undefined;
  private closed = false;

  constructor(readonly repo: string) {}

  private open(): GitStore {
    if (this.closed) throw new Error('git object reader closed');
    this.store ??= new GitStore(this.repo);
    return this.store;
  }

  private oidOf(name: string): string {
    const s = this.open();
    if (name.length === s.hashLen * 2 && /^[0-9a-f]+$/.test(name)) return name;
    if (/[\n\r]/.test(name) || name.length === 0) throw new Error(`invalid object name '${printable(name)}'`);
    const m = /^(.*)\^\{(tree|commit)\}$/.exec(name);
    return s.resolve(m ? m[1]! : name, m ? (m[2] as 'tree' | 'commit') : 'commit');
  }

  /** Reads one object whole (an oid, or a revision, optionally with `^{tree}`). */
  async read(name: string, max?: number): Promise<GitObject> {
    const oid = this.oidOf(name);
    return this.open().read(oid, max);
  }

  /** Type and size of an object, with its contents when at most `max` bytes. */
  async readUpTo(oid: string, max: number): Promise<ObjectInfo & { data?: Buffer }> {
    return this.open().readUpTo(oid, max);
  }

  /** Type and size of an object without reading its contents. */
  async info(oid: string): Promise<ObjectInfo> {
    return this.open().info(oid);
  }

  /** Streams a blob in slices (constant memory for undeltified blobs). */
  stream(oid: string, onChunk: (b: Buffer) => void, signal?: AbortSignal): Promise<number> {
    try {
      return this.open().streamBlob(oid, onChunk, signal);
    } catch (e) {
      return Promise.reject(e);
    }
  }

  close(): void {
    this.closed = true;
    this.store?.close();
  }
}

export interface TreeEntry {
  readonly mode: string;
  readonly name: Buffer;
  readonly oid: string;
}

/** Parses a raw git tree object (`<mode> <name>\0<binary oid>` repeated). */
export function parseTree(data: Buffer, oidBytes = 20): TreeEntry[] {
  const out: TreeEntry[] = [];
  let pos = 0;
  while (pos < data.length) {
    const sp = data.indexOf(0x20, pos);
    const nul = data.indexOf(0, sp + 1);
    if (sp < 0 || nul < 0 || nul + 1 + oidBytes > data.length) throw new Error('malformed git tree object');
    out.push({
      mode: data.toString('latin1', pos, sp),
      name: data.subarray(sp + 1, nul),
      oid: data.toString('hex', nul + 1, nul + 1 + oidBytes),
    });
    pos = nul + 1 + oidBytes;
  }
  return out;
}

// NAR pieces live in SharedArrayBuffer slabs, so that hashing lanes (worker threads, see
// hashLanes.ts) read them where they are. A slab is freed once no piece in it is referenced.
const SLAB = 4 * 1024 * 1024;
/** Contents larger than this get shared memory of their own (and are not copied into a NAR piece). */
const BIG_PIECE = 1024 * 1024;
let slab: Buffer | undefined;
let slabUsed = 0;

/** `n` bytes of shared memory (uninitialised contents: the caller fills all of it). */
export function sharedAlloc(n: number): Buffer {
  if (n > SLAB / 4) return Buffer.from(new SharedArrayBuffer(n));
  if (!slab || slabUsed + n > slab.length) {
    slab = Buffer.from(new SharedArrayBuffer(SLAB));
    slabUsed = 0;
  }
  const b = slab.subarray(slabUsed, slabUsed + n);
  slabUsed += (n + 7) & ~7;
  return b;
}

/** Pieces of NAR tokens and names, in shared memory. */
function concat(bufs: readonly Buffer[]): Buffer {
  let n = 0;
  for (const b of bufs) n += b.length + ((8 - (b.length % 8)) % 8) + 8;
  const out = sharedAlloc(n);
  let o = 0;
  for (const b of bufs) {
    out.writeUInt32LE(b.length % 0x100000000, o);
    out.writeUInt32LE(Math.floor(b.length / 0x100000000), o + 4);
    o += 8;
    o += b.copy(out, o);
    const pad = (8 - (b.length % 8)) % 8;
    out.fill(0, o, o + pad);
    o += pad;
  }
  return out;
}
/** `str(x)` tokens of NAR strings, in one shared buffer. */
const toks = (...xs: (string | Buffer)[]): Buffer =>
  concat(xs.map((x) => (typeof x === 'string' ? Buffer.from(x) : x)));
const T = {
  magic: toks('nix-archive-1'),
  close: toks(')'),
  dirHead: toks('(', 'type', 'directory'),
  regHead: toks('(', 'type', 'regular', 'contents'),
  execHead: toks('(', 'type', 'regular', 'executable', '', 'contents'),
  emptyDir: toks('(', 'type', 'directory', ')'),
  entryHead: toks('entry', '(', 'name'),
  node: toks('node'),
  symHead: toks('(', 'type', 'symlink', 'target'),
};

/** `prefix str(bytes) suffix` in one shared piece. */
function framed(prefix: Buffer, bytes: Buffer, suffix: Buffer): Buffer {
  const pad = (8 - (bytes.length % 8)) % 8;
  const out = Buffer.allocUnsafe(prefix.length + 8 + bytes.length + pad + suffix.length);
  let o = prefix.copy(out, 0);
  out.writeUInt32LE(bytes.length % 0x100000000, o);
  out.writeUInt32LE(Math.floor(bytes.length / 0x100000000), o + 4);
  o += 8;
  o += bytes.copy(out, o);
  out.fill(0, o, o + pad);
  suffix.copy(out, o + pad);
  return out;
}

/**
 * A large file's contents, not held in memory: read from the repository when hashed (streamed
 * on this thread, or loaded into shared memory for one hashing lane, see hashLanes.ts).
 */
export interface BlobRef {
  readonly blob: string;
  readonly size: number;
  readonly reader: GitObjectReader;
}

export type NarPart = Buffer | NarNode | BlobRef;

/**
 * A subtree's NAR: byte pieces, references to large blobs and nested subtrees in order (shared
 * between commits, never copied or changed once built) and its total length in bytes.
 */
export interface NarNode {
  readonly parts: readonly NarPart[];
  readonly size: number;
}

const isTree = (mode: string): boolean => mode === '40000' || mode === '040000';
export const isBlobRef = (x: NarPart): x is BlobRef => !Buffer.isBuffer(x) && 'blob' in x;
export const partSize = (x: NarPart): number => (Buffer.isBuffer(x) ? x.length : x.size);

/** Bytes of memory a node's own pieces take (a blob reference counts as a few bytes, not its size). */
function memSize(n: NarNode): number {
  let m = 0;
  for (const x of n.parts) m += Buffer.isBuffer(x) ? x.length : isBlobRef(x) ? 64 : memSize(x);
  return m;
}

/** Largest tree object read (a tree of 1 M entries is about 40 MB). */
const MAX_TREE = 64 * 1024 * 1024;
/** Longest symlink target read (PATH_MAX is 4096 on Linux). */
const MAX_SYMLINK = 64 * 1024;

/** Files larger than this are not read into memory when a tree is built: they are streamed when hashed. */
const INLINE = BIG_PIECE;

/** A regular file's NAR: one buffer holding its contents. */
function fileNar(data: Buffer, executable: boolean): Buffer {
  const head = executable ? T.execHead : T.regHead;
  const pad = (8 - (data.length % 8)) % 8;
  const tailLen = pad + T.close.length;
  const out = Buffer.allocUnsafe(head.length + 8 + data.length + tailLen);
  let o = head.copy(out, 0);
  out.writeUInt32LE(data.length, o);
  out.writeUInt32LE(0, o + 4);
  o += 8;
  o += data.copy(out, o);
  out.fill(0, o, o + pad);
  T.close.copy(out, o + pad);
  return out;
}

/** A large regular file's NAR: header and trailer pieces around a reference to its blob. */
function bigFileNar(ref: BlobRef, executable: boolean): NarNode {
  const head = executable ? T.execHead : T.regHead;
  const pad = (8 - (ref.size % 8)) % 8;
  const h = sharedAlloc(head.length + 8);
  head.copy(h, 0);
  h.writeUInt32LE(ref.size % 0x100000000, head.length);
  h.writeUInt32LE(Math.floor(ref.size / 0x100000000), head.length + 4);
  const t = sharedAlloc(pad + T.close.length);
  t.fill(0, 0, pad);
  T.close.copy(t, pad);
  return { parts: [h, ref, t], size: h.length + ref.size + t.length };
}

/**
 * How many leading bytes two NARs certainly share: identical subtrees (same object) are skipped
 * whole, equal buffers compared, and the walk stops inside the first subtree that differs.
 */
export function sharedPrefix(a: NarNode, b: NarNode): number {
  if (a === b) return a.size;
  let off = 0;
  const n = Math.min(a.parts.length, b.parts.length);
  for (let i = 0; i < n; i++) {
    const x = a.parts[i]!;
    const y = b.parts[i]!;
    if (x === y) {
      off += partSize(x);
      continue;
    }
    if (isBlobRef(x) || isBlobRef(y)) {
      if (isBlobRef(x) && isBlobRef(y) && x.blob === y.blob) {
        off += x.size;
        continue;
      }
      return off;
    }
    const xb = Buffer.isBuffer(x);
    const yb = Buffer.isBuffer(y);
    if (xb && yb) {
      const d = firstDifference(x as Buffer, y as Buffer);
      if (d === x.length && d === y.length) {
        off += d;
        continue;
      }
      return off + d;
    }
    if (xb || yb) return off;
    const c = sharedPrefix(x as NarNode, y as NarNode);
    if (c === (x as NarNode).size && c === (y as NarNode).size) {
      off += c;
      continue;
    }
    return off + c;
  }
  return off;
}

/** Length of the common prefix of two buffers, to within 4 KiB (never more than the truth). */
function firstDifference(a: Buffer, b: Buffer): number {
  const n = Math.min(a.length, b.length);
  const BLOCK = 4096;
  let o = 0;
  while (o < n) {
    const m = Math.min(BLOCK, n - o);
    if (!a.subarray(o, o + m).equals(b.subarray(o, o + m))) return o;
    o += m;
  }
  return n;
}

/** Consecutive byte pieces of a directory's NAR are copied into one shared buffer of up to this size. */
const RUN = 1024 * 1024;

/** Joins runs of consecutive buffers into shared-memory buffers (fewer, larger pieces to hash). */
function joinRuns(parts: NarPart[]): NarPart[] {
  const out: NarPart[] = [];
  let run: Buffer[] = [];
  let runLen = 0;
  const end = (): void => {
    if (run.length === 0) return;
    const b = sharedAlloc(runLen);
    let o = 0;
    for (const x of run) o += x.copy(b, o);
    out.push(b);
    run = [];
    runLen = 0;
  };
  for (const x of parts) {
    if (!Buffer.isBuffer(x)) {
      end();
      out.push(x);
      continue;
    }
    if (runLen > 0 && runLen + x.length > RUN) end();
    run.push(x);
    runLen += x.length;
  }
  end();
  return out;
}

export interface TreeHashStats {
  /** Tree objects serialised from git objects. */
  treesRead: number;
  /** Subtrees reused from the cache (unchanged since an earlier commit). */
  treesReused: number;
  /** Blobs read. */
  blobsRead: number;
  /** NAR bytes not re-hashed thanks to a saved SHA-256 state of a prefix shared with the previous tree. */
  prefixBytesReused: number;
  /** NAR bytes hashed. */
  bytesHashed: number;
}

/** A SHA-256 state is saved every this many NAR bytes (resuming costs at most this much re-hashing). */
const STATE_EVERY = 64 * 1024;
/** Pieces up to this size are staged and hashed in batches (one update call per ~64 KiB). */
const SMALL = 4096;
/** Large pieces are hashed in slices of this size, so states can be saved inside them. */
const SLICE = 1024 * 1024;

/**
 * NAR-hashes git trees, caching each subtree's NAR by tree object id so that commits sharing
 * subtrees only read what changed (bounded: `cacheBytes`, default 256 MiB), and resuming SHA-256
 * from a state saved inside the prefix that a tree's NAR shares with the previous one's.
 */
export class GitTreeHasher {
  private cache = new Map<string, NarNode>();
  private ownBytes = new Map<string, number>();
  private cached = 0;
  private inflight = new Map<string, Promise<NarNode>>();
  private rootHashes = new Map<string, Uint8Array>();
  readonly stats: TreeHashStats = {
    treesRead: 0,
    treesReused: 0,
    blobsRead: 0,
    prefixBytesReused: 0,
    bytesHashed: 0,
  };

  constructor(
    readonly reader: GitObjectReader,
    private readonly cacheBytes = 256 * 1024 * 1024,
  ) {}

  /**
   * Caches a tree's node, counting only its own bytes (file contents, names, tokens): subtrees
   * are cached and counted under their own ids.
   */
  private remember(oid: string, n: NarNode, own: number): void {
    if (own > this.cacheBytes / 4) return;
    this.cache.set(oid, n);
    this.ownBytes.set(oid, own);
    this.cached += own;
    while (this.cached > this.cacheBytes) {
      const k = this.cache.keys().next().value as string;
      this.cache.delete(k);
      this.cached -= this.ownBytes.get(k)!;
      this.ownBytes.delete(k);
    }
  }

  /**
   * File and symlink NARs by blob id and kind, so that rebuilding a directory in which one file
   * changed reads only that file (bounded: a quarter of `cacheBytes`).
   */
  private blobs = new Map<string, Buffer | NarNode>();
  private blobBytes = 0;

  private rememberBlob(key: string, nar: Buffer | NarNode): void {
    const n = Buffer.isBuffer(nar) ? nar.length : memSize(nar);
    if (n > this.cacheBytes / 16) return;
    this.blobs.set(key, nar);
    this.blobBytes += n;
    while (this.blobBytes > this.cacheBytes / 4) {
      const [k, v] = this.blobs.entries().next().value as [string, Buffer | NarNode];
      this.blobs.delete(k);
      this.blobBytes -= Buffer.isBuffer(v) ? v.length : memSize(v);
    }
  }

  private tree(oid: string, signal?: AbortSignal, depth = 0): Promise<NarNode> {
    const hit = this.cache.get(oid);
    if (hit) {
      this.cache.delete(oid);
      this.cache.set(oid, hit);
      this.stats.treesReused++;
      return Promise.resolve(hit);
    }
    const busy = this.inflight.get(oid);
    if (busy) {
      this.stats.treesReused++;
      return busy;
    }
    const p = this.readTree(oid, signal, depth);
    this.inflight.set(oid, p);
    const done = (): void => void this.inflight.delete(oid);
    p.then(done, done);
    return p;
  }

  private async readTree(oid: string, signal: AbortSignal | undefined, depth: number): Promise<NarNode> {
    if (signal?.aborted) throw new Error('cancelled');
    if (depth > 512) throw new Error('git tree nested too deeply');
    const obj = await this.reader.read(oid, MAX_TREE);
    if (obj.type !== 'tree') throw new Error(`${oid} is a ${obj.type}, not a tree`);
    this.stats.treesRead++;
    const entries = parseTree(obj.data, oid.length / 2).sort((a, b) => Buffer.compare(a.name, b.name));
    // All blob and tree reads of this level are started at once.
    const kids = entries.map((e): Promise<Buffer | NarNode> => {
      if (isTree(e.mode)) return this.tree(e.oid, signal, depth + 1);
      if (e.mode === '160000') return Promise.resolve(T.emptyDir);
      if (e.mode !== '120000' && !e.mode.startsWith('100'))
        return Promise.reject(
          new Error(`unsupported git mode ${printable(e.mode)} for '${printable(e.name)}'`),
        );
      const kind = e.mode === '120000' ? 'l' : (parseInt(e.mode, 8) & 0o100) !== 0 ? 'x' : 'f';
      const key = kind + e.oid;
      const known = this.blobs.get(key);
      if (known) {
        this.blobs.delete(key);
        this.blobs.set(key, known);
        return Promise.resolve(known);
      }
      return this.reader.readUpTo(e.oid, kind === 'l' ? MAX_SYMLINK : INLINE).then((b) => {
        if (b.type !== 'blob')
          throw new Error(`${e.oid} ('${printable(e.name)}') is a ${b.type}, not a blob`);
        this.stats.blobsRead++;
        let nar: Buffer | NarNode;
        if (!b.data) {
          if (kind === 'l')
            throw new Error(
              `symlink '${printable(e.name)}' has a ${b.size}-byte target: longer than ${MAX_SYMLINK} bytes`,
            );
          nar = bigFileNar({ blob: e.oid, size: b.size, reader: this.reader }, kind === 'x');
        } else nar = kind === 'l' ? framed(T.symHead, b.data, T.close) : fileNar(b.data, kind === 'x');
        this.rememberBlob(key, nar);
        return nar;
      });
    });
    const resolved = await Promise.all(kids);
    const parts: NarPart[] = [T.dirHead];
    let size = T.dirHead.length;
    let own = 0;
    entries.forEach((e, i) => {
      const head = framed(T.entryHead, e.name, T.node);
      const r = resolved[i]!;
      parts.push(head, r, T.close);
      size += head.length + partSize(r) + T.close.length;
      own += head.length + (Buffer.isBuffer(r) ? r.length : isTree(e.mode) ? 0 : memSize(r));
    });
    parts.push(T.close);
    size += T.close.length;
    const n: NarNode = { parts: joinRuns(parts), size };
    this.remember(oid, n, own);
    return n;
  }

  /** Starts reading a tree's objects ahead of `hashTree` (errors surface there). */
  prefetch(treeOid: string, signal?: AbortSignal): void {
    if (this.rootHashes.has(treeOid)) return;
    this.tree(treeOid, signal).catch(() => undefined);
  }

  /** A tree's whole NAR (magic included) as a node tree, for hashing elsewhere (see hashLanes.ts). */
  async narOf(treeOid: string, signal?: AbortSignal): Promise<NarNode> {
    const tree = await this.tree(treeOid, signal);
    return { parts: [T.magic, tree], size: T.magic.length + tree.size };
  }

  /** The previous NAR and the SHA-256 states saved along it (ascending offsets). */
  private prev: { root: NarNode; states: { offset: number; h: Hash }[] } | undefined;
  private readonly stage = Buffer.allocUnsafe(STATE_EVERY);

  /** SHA-256 of the NAR of a tree (given by tree oid), as `nix hash path` of its checkout minus `.git`. */
  hashTree(treeOid: string, signal?: AbortSignal): Promise<{ hash: Uint8Array; narSize: number }> {
    // One at a time: hashing shares the saved states and the staging buffer, and awaits streamed blobs.
    const run = this.hashing.then(() => this.hashTreeNow(treeOid, signal));
    this.hashing = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  private hashing: Promise<void> = Promise.resolve();

  private async hashTreeNow(
    treeOid: string,
    signal?: AbortSignal,
  ): Promise<{ hash: Uint8Array; narSize: number }> {
    const known = this.rootHashes.get(treeOid);
    if (known) return { hash: known, narSize: -1 };
    const root = await this.narOf(treeOid, signal);
    let h: Hash | undefined;
    let from = 0;
    let states: { offset: number; h: Hash }[] = [];
    if (this.prev) {
      const shared = sharedPrefix(this.prev.root, root);
      const ps = this.prev.states;
      let k = -1;
      while (k + 1 < ps.length && ps[k + 1]!.offset <= shared) k++;
      if (k >= 0) {
        states = ps.slice(0, k + 1);
        h = ps[k]!.h.copy();
        from = ps[k]!.offset;
        this.stats.prefixBytesReused += from;
      }
    }
    h ??= createHash('sha256');
    const hash = h;
    // Hash bytes [from, size): small pieces are staged, a state is saved every STATE_EVERY bytes.
    const stage = this.stage;
    let staged = 0;
    let pos = from;
    let nextState = from + STATE_EVERY;
    const flush = (): void => {
      if (staged) hash.update(stage.subarray(0, staged));
      staged = 0;
    };
    const feed = (b: Buffer): void => {
      if (b.length <= SMALL) {
        if (staged + b.length > stage.length) flush();
        b.copy(stage, staged);
        staged += b.length;
      } else {
        flush();
        hash.update(b);
      }
      pos += b.length;
      if (pos >= nextState) {
        flush();
        states.push({ offset: pos, h: hash.copy() });
        nextState = pos + STATE_EVERY;
      }
    };
    const walk = async (n: NarNode, base: number): Promise<void> => {
      for (const x of n.parts) {
        const len = partSize(x);
        if (base + len <= from) {
          base += len;
          continue;
        }
        if (Buffer.isBuffer(x)) {
          for (let o = Math.max(0, from - base); o < x.length; o += SLICE)
            feed(o === 0 && x.length <= SLICE ? x : x.subarray(o, Math.min(x.length, o + SLICE)));
        } else if (isBlobRef(x)) {
          // Streamed from the repository; bytes before `from` are already in the resumed state.
          let skip = Math.max(0, from - base);
          await x.reader.stream(
            x.blob,
            (c) => {
              if (skip >= c.length) {
                skip -= c.length;
                return;
              }
              feed(skip > 0 ? c.subarray(skip) : c);
              skip = 0;
            },
            signal,
          );
        } else await walk(x, base);
        base += len;
      }
    };
    await walk(root, 0);
    flush();
    this.stats.bytesHashed += root.size - from;
    this.prev = { root, states };
    const digest = new Uint8Array(hash.digest());
    this.rootHashes.set(treeOid, digest);
    return { hash: digest, narSize: root.size };
  }
}

export interface CommitInfo {
  readonly oid: string;
  readonly tree: string;
  /** Committer time, seconds since the epoch (what a lock's `lastModified` records). */
  readonly time: number;
  readonly subject: string;
}

/** The tree oid and commit time of a revision (read from the repository's files, no git process). */
export async function resolveCommit(repo: string, rev: string, signal?: AbortSignal): Promise<CommitInfo> {
  if (signal?.aborted) throw new Error('cancelled');
  const store = new GitStore(repo);
  try {
    const c = store.commit(store.resolve(rev, 'commit'));
    return { oid: c.oid, tree: c.tree, time: c.time, subject: c.subject };
  } finally {
    store.close();
  }
}

/** Commits reachable from all refs (branches, tags, remotes) and HEAD, newest first, at most `limit`. */
export async function listCommits(repo: string, limit: number, signal?: AbortSignal): Promise<CommitInfo[]> {
  const store = new GitStore(repo);
  try {
    return store
      .listCommits(limit, signal)
      .map((c) => ({ oid: c.oid, tree: c.tree, time: c.time, subject: c.subject }));
  } finally {
    store.close();
  }
}
