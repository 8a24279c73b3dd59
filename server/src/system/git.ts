// Git access for provenance: one long-lived `git cat-file --batch` per repository (requests are
// pipelined, answers read in order), commit listing, and NAR serialisation of a commit's tree
// straight from git objects — no checkout, `.git` never included.
//
// Tree → NAR rules (what Nix's git fetchers produce, verified against checkout + `nix hash path`):
//   mode 040000 → directory; 100644/100664 → regular file; 100755 → executable file;
//   120000 → symlink whose target is the blob's bytes; 160000 (submodule) → empty directory
//   (Nix without `submodules = true` leaves an empty directory where a submodule is).
// Entries are re-sorted by the bytes of their names: git sorts a directory `foo` as `foo/`, so
// `foo.txt` comes before `foo` in git but after it in a NAR.
// `.gitattributes` filters (eol, export-ignore, export-subst) are NOT applied: a github tarball
// or a git fetcher that honours export-ignore can therefore hash differently.
//
// This module spawns git itself (it needs a persistent stdin pipe, which exec.ts does not offer);
// it lives in server/src/system/ where process spawning is allowed.
import { createHash, type Hash } from 'node:crypto';
import { execa, type ResultPromise } from 'execa';
import { ProgramMissingError, run } from './exec';

export interface GitObject {
  readonly oid: string;
  readonly type: 'blob' | 'tree' | 'commit' | 'tag';
  readonly data: Buffer;
}

interface Pending {
  resolve(o: GitObject): void;
  reject(e: Error): void;
  oid: string;
}

/** A `git cat-file --batch` session. Call `close()` when done. */
export class GitObjectReader {
  private proc: ResultPromise;
  private pending: Pending[] = [];
  private buf: Buffer = Buffer.alloc(0);
  private failed: Error | undefined;
  private closed = false;

  constructor(readonly repo: string) {
    this.proc = execa('git', ['-C', repo, 'cat-file', '--batch'], {
      stdin: 'pipe',
      stdout: 'pipe',
      stderr: 'pipe',
      encoding: 'buffer',
      buffer: { stdout: false, stderr: true },
      reject: false,
    });
    this.proc.stdout!.on('data', (c: Buffer) => this.onData(c));
    this.proc.stdin!.on('error', () => undefined);
    void this.proc.then((r) => {
      const err =
        (r as { code?: string }).code === 'ENOENT'
          ? new ProgramMissingError('git')
          : new Error(`git cat-file --batch in ${repo} ended${r.exitCode ? ` with status ${r.exitCode}` : ''}: ${String(r.stderr ?? '').trim()}`);
      this.fail(err);
    });
  }

  private fail(e: Error): void {
    if (!this.failed) this.failed = e;
    const p = this.pending;
    this.pending = [];
    for (const x of p) x.reject(this.closed ? new Error('git object reader closed') : e);
  }

  private onData(c: Buffer): void {
    this.buf = this.buf.length ? Buffer.concat([this.buf, c]) : c;
    for (;;) {
      const nl = this.buf.indexOf(10);
      if (nl < 0) return;
      const header = this.buf.toString('latin1', 0, nl);
      const p = this.pending[0];
      if (!p) return this.fail(new Error(`unexpected output from git cat-file: ${header}`));
      const m = /^([0-9a-f]{40,64}) (blob|tree|commit|tag) (\d+)$/.exec(header);
      if (!m) {
        this.pending.shift();
        this.buf = this.buf.subarray(nl + 1);
        p.reject(new Error(`git object '${p.oid}' not found in ${this.repo}`));
        continue;
      }
      const size = Number(m[3]);
      if (this.buf.length < nl + 1 + size + 1) return;
      const data = Buffer.from(this.buf.subarray(nl + 1, nl + 1 + size));
      this.buf = this.buf.subarray(nl + 1 + size + 1);
      this.pending.shift();
      p.resolve({ oid: m[1]!, type: m[2] as GitObject['type'], data });
    }
  }

  /** Reads one object (any name `git cat-file` accepts, e.g. an oid or `REV^{tree}`). */
  read(name: string): Promise<GitObject> {
    if (this.failed) return Promise.reject(this.failed);
    if (/[\n\r]/.test(name) || name.length === 0) return Promise.reject(new Error(`invalid object name '${name}'`));
    return new Promise((resolve, reject) => {
      this.pending.push({ resolve, reject, oid: name });
      this.proc.stdin!.write(`${name}\n`);
    });
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.proc.stdin!.end();
    if (this.pending.length === 0) this.proc.kill();
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
    out.push({ mode: data.toString('latin1', pos, sp), name: data.subarray(sp + 1, nul), oid: data.toString('hex', nul + 1, nul + 1 + oidBytes) });
    pos = nul + 1 + oidBytes;
  }
  return out;
}

// NAR tokens, pre-encoded.
function tok(s: string | Buffer): Buffer {
  const b = typeof s === 'string' ? Buffer.from(s) : s;
  const pad = (8 - (b.length % 8)) % 8;
  const out = Buffer.alloc(8 + b.length + pad);
  out.writeUInt32LE(b.length % 0x100000000, 0);
  out.writeUInt32LE(Math.floor(b.length / 0x100000000), 4);
  b.copy(out, 8);
  return out;
}
const T = {
  magic: tok('nix-archive-1'),
  open: tok('('),
  close: tok(')'),
  dirHead: Buffer.concat([tok('('), tok('type'), tok('directory')]),
  regHead: Buffer.concat([tok('('), tok('type'), tok('regular')]),
  exec: Buffer.concat([tok('executable'), tok('')]),
  contents: tok('contents'),
  symHead: Buffer.concat([tok('('), tok('type'), tok('symlink'), tok('target')]),
  entryHead: Buffer.concat([tok('entry'), tok('('), tok('name')]),
  node: tok('node'),
  emptyDir: Buffer.concat([tok('('), tok('type'), tok('directory'), tok(')')]),
};
const ZEROS = Buffer.alloc(8);

/** A subtree's NAR as a list of buffers (shared, never copied) and its total length. */
interface NarChunks {
  chunks: Buffer[];
  size: number;
}

export interface TreeHashStats {
  /** Tree objects serialised from git objects. */
  treesRead: number;
  /** Subtrees reused from the cache (unchanged since an earlier commit). */
  treesReused: number;
  /** Blobs read. */
  blobsRead: number;
  /** NAR chunks not re-hashed thanks to a saved SHA-256 state of a shared prefix. */
  prefixChunksReused: number;
}

/**
 * NAR-hashes git trees, caching each subtree's NAR by tree object id so that commits sharing
 * subtrees only read what changed. The cache is bounded (`cacheBytes`, default 256 MiB).
 */
export class GitTreeHasher {
  private cache = new Map<string, NarChunks>();
  private cached = 0;
  private rootHashes = new Map<string, Uint8Array>();
  readonly stats: TreeHashStats = { treesRead: 0, treesReused: 0, blobsRead: 0, prefixChunksReused: 0 };

  constructor(readonly reader: GitObjectReader, private readonly cacheBytes = 256 * 1024 * 1024) {}

  private remember(oid: string, n: NarChunks): void {
    if (n.size > this.cacheBytes / 4) return;
    this.cache.set(oid, n);
    this.cached += n.size;
    while (this.cached > this.cacheBytes) {
      const [k, v] = this.cache.entries().next().value as [string, NarChunks];
      this.cache.delete(k);
      this.cached -= v.size;
    }
  }

  private async tree(oid: string, signal?: AbortSignal, depth = 0): Promise<NarChunks> {
    const hit = this.cache.get(oid);
    if (hit) {
      this.cache.delete(oid);
      this.cache.set(oid, hit);
      this.stats.treesReused++;
      return hit;
    }
    if (signal?.aborted) throw new Error('cancelled');
    if (depth > 512) throw new Error('git tree nested too deeply');
    const obj = await this.reader.read(oid);
    if (obj.type !== 'tree') throw new Error(`${oid} is a ${obj.type}, not a tree`);
    this.stats.treesRead++;
    const entries = parseTree(obj.data, oid.length / 2).sort((a, b) => Buffer.compare(a.name, b.name));
    // Pipeline all blob and tree reads of this level.
    const parts = entries.map((e): Promise<Buffer[] | NarChunks> => {
      if (e.mode === '40000' || e.mode === '040000') return this.tree(e.oid, signal, depth + 1);
      if (e.mode === '160000') return Promise.resolve({ chunks: [T.emptyDir], size: T.emptyDir.length });
      return this.reader.read(e.oid).then((b) => {
        this.stats.blobsRead++;
        if (e.mode === '120000') return [T.symHead, tok(b.data), T.close];
        if (!e.mode.startsWith('100')) throw new Error(`unsupported git mode ${e.mode} for '${e.name.toString()}'`);
        const exec = (parseInt(e.mode, 8) & 0o100) !== 0;
        const len = Buffer.alloc(8);
        len.writeUInt32LE(b.data.length % 0x100000000, 0);
        len.writeUInt32LE(Math.floor(b.data.length / 0x100000000), 4);
        const pad = (8 - (b.data.length % 8)) % 8;
        const c: Buffer[] = [T.regHead];
        if (exec) c.push(T.exec);
        c.push(T.contents, len, b.data);
        if (pad) c.push(ZEROS.subarray(0, pad));
        c.push(T.close);
        return c;
      });
    });
    const resolved = await Promise.all(parts);
    const chunks: Buffer[] = [T.dirHead];
    entries.forEach((e, i) => {
      chunks.push(T.entryHead, tok(e.name), T.node);
      const r = resolved[i]!;
      if (Array.isArray(r)) chunks.push(...r);
      else for (const c of r.chunks) chunks.push(c);
      chunks.push(T.close);
    });
    chunks.push(T.close);
    let size = 0;
    for (const c of chunks) size += c.length;
    const n = { chunks, size };
    this.remember(oid, n);
    return n;
  }

  /**
   * The previous root's chunks and SHA-256 states saved at chunk boundaries (every ~16 KiB):
   * the next commit's NAR usually shares a long prefix with it (history neighbours differ in a
   * few files), so hashing resumes from the last state before the first differing chunk.
   */
  private prev: { chunks: Buffer[]; states: Map<number, Hash> } | undefined;
  private readonly stage = Buffer.allocUnsafe(64 * 1024);

  /** SHA-256 of the NAR of a tree (given by tree oid), as `nix hash path` of its checkout minus `.git`. */
  async hashTree(treeOid: string, signal?: AbortSignal): Promise<{ hash: Uint8Array; narSize: number }> {
    const known = this.rootHashes.get(treeOid);
    if (known) return { hash: known, narSize: -1 };
    const n = await this.tree(treeOid, signal);
    const chunks = [T.magic, ...n.chunks];
    // longest common prefix with the previous root (by identity, or equal bytes for small chunks)
    let start = 0;
    let h: Hash = createHash('sha256');
    const states = new Map<number, Hash>();
    if (this.prev) {
      const pc = this.prev.chunks;
      let i = 0;
      const lim = Math.min(pc.length, chunks.length);
      while (i < lim && (pc[i] === chunks[i] || (pc[i]!.length === chunks[i]!.length && pc[i]!.equals(chunks[i]!)))) i++;
      let best = -1;
      for (const k of this.prev.states.keys()) if (k <= i && k > best) best = k;
      if (best > 0) {
        for (const [k, st] of this.prev.states) if (k <= best) states.set(k, st);
        h = this.prev.states.get(best)!.copy();
        start = best;
        this.stats.prefixChunksReused += best;
      }
    }
    // Small chunks are staged and hashed in batches (one update call per ~16 KiB, not per token).
    const stage = this.stage;
    let staged = 0;
    let sinceState = 0;
    for (let i = start; i < chunks.length; i++) {
      if (sinceState >= 16 * 1024) {
        if (staged) h.update(stage.subarray(0, staged));
        staged = 0;
        states.set(i, h.copy());
        sinceState = 0;
      }
      const c = chunks[i]!;
      if (c.length <= 4096 && staged + c.length <= stage.length) {
        c.copy(stage, staged);
        staged += c.length;
      } else {
        if (staged) h.update(stage.subarray(0, staged));
        staged = 0;
        h.update(c);
      }
      sinceState += c.length;
    }
    if (staged) h.update(stage.subarray(0, staged));
    this.prev = { chunks, states };
    const hash = new Uint8Array(h.digest());
    this.rootHashes.set(treeOid, hash);
    return { hash, narSize: n.size + T.magic.length };
  }
}

export interface CommitInfo {
  readonly oid: string;
  readonly tree: string;
  /** Committer time, seconds since the epoch (what a lock's `lastModified` records). */
  readonly time: number;
  readonly subject: string;
}

/** The tree oid and commit time of a revision. */
export async function resolveCommit(repo: string, rev: string, signal?: AbortSignal): Promise<CommitInfo> {
  if (rev.startsWith('-')) throw new Error(`invalid revision '${rev}'`);
  const r = await run('git', ['-C', repo, 'log', '-1', '--format=%H%x00%T%x00%ct%x00%s', `${rev}^{commit}`, '--'], { signal });
  const [oid, tree, time, subject] = r.stdout.trim().split('\0');
  return { oid: oid!, tree: tree!, time: Number(time), subject: subject ?? '' };
}

/** Commits reachable from all refs (branches, tags, remotes), newest first, at most `limit`. */
export async function listCommits(repo: string, limit: number, signal?: AbortSignal): Promise<CommitInfo[]> {
  const r = await run('git', ['-C', repo, 'log', '--all', `--max-count=${Math.max(1, Math.floor(limit))}`, '--format=%H%x00%T%x00%ct%x00%s'], {
    signal,
    timeoutMs: 300_000,
  });
  return r.stdout
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => {
      const [oid, tree, time, subject] = l.split('\0');
      return { oid: oid!, tree: tree!, time: Number(time), subject: subject ?? '' };
    });
}
