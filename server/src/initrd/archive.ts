// Opening an initrd: one pass over the image builds an index (segments + entries) and writes the
// file data to an on-disk cache keyed by the image's identity (path, size, mtime, inode). A second
// open reads the index from the cache. File bytes are always served from the cache file, so
// memory stays bounded whatever the image size. The cache is bounded: least-recently-used
// entries are evicted beyond `cacheLimit` bytes (default 4 GiB).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createHash, randomBytes } from 'node:crypto';
import { InitrdError, type CpioEntry, type CpioSink, type DirectCache } from './cpio';
import { walkSegments, type Limits, type Segment } from './segments';
import { privateCacheDir } from './cacheDir';
import { NotRegularFileError, openRegularSync } from '../files';

export { InitrdError } from './cpio';
export type { CpioEntry } from './cpio';
export type { Segment, Limits } from './segments';

export interface OpenOptions {
  /**
   * Directory for caches, created 0700 if missing (see `defaultCacheDir`). One that is a symlink,
   * belongs to another user or that others may write is refused: a private temporary directory
   * is used instead and `onWarning` says why. Undefined: a private temporary directory.
   */
  cacheDir: string | undefined;
  /** Told when the cache directory was refused. */
  onWarning?: (message: string) => void;
  signal?: AbortSignal;
  onProgress?: (p: { offset: number; total: number; entries: number }) => void;
  limits?: Partial<Limits>;
  /** Cache size limit in bytes (default 4 GiB); least-recently-used images are evicted. */
  cacheLimit?: number;
  /**
   * Use a native `zstd`/`xz` for large segments when on PATH (default true): it writes the
   * decompressed segment straight into the cache file while the index is read from it.
   */
  native?: boolean;
  /** Smallest compressed segment handed to a native decoder (default 1 MiB). */
  nativeMinSize?: number;
}

export interface UkiInfo {
  /** Kernel command line from `.cmdline`. */
  cmdline?: string;
  /** Size of the `.linux` section. */
  kernelSize?: number;
  /** Other PE section names (e.g. .osrel, .uname). */
  sections: string[];
  uname?: string;
  osRelease?: string;
}

export interface ArchiveIndex {
  version: number;
  file: string;
  fileSize: number;
  segments: Segment[];
  entries: CpioEntry[];
  uki?: UkiInfo;
}

export interface Archive {
  readonly file: string;
  readonly segments: Segment[];
  /** Entries sorted by path; a later entry for a path wins; missing parent directories are implied. */
  readonly entries: CpioEntry[];
  readonly uki?: UkiInfo;
  /** Whether the index came from the cache. */
  readonly cached: boolean;
  get(p: string): CpioEntry | undefined;
  /** Children of a directory (names only map). */
  list(dir: string): CpioEntry[];
  /** Follows symlinks inside the archive (to at most 40 levels); undefined when dangling or a loop. */
  resolve(p: string): CpioEntry | undefined;
  /** Whether resolving `p` runs into a symlink loop (more than 40 levels), rather than a missing entry. */
  isLoop(p: string): boolean;
  /** Bytes of a regular file (following symlinks); throws InitrdError when absent. */
  readFile(p: string, range?: { start: number; end: number }): Promise<Buffer>;
  /** Bytes of an entry (no symlink resolution). */
  readEntry(e: CpioEntry, range?: { start: number; end: number }): Promise<Buffer>;
}

const INDEX_VERSION = 1;
const MAX_SYMLINK_DEPTH = 40;

export function cacheKey(file: string, st: fs.Stats): string {
  return createHash('sha256')
    .update(JSON.stringify([path.resolve(file), st.size, st.mtimeMs, st.ino, st.dev, INDEX_VERSION]))
    .digest('hex')
    .slice(0, 32);
}

/** Opens (and indexes, or loads from cache) an initrd image or a unified kernel image. */
export async function openArchive(file: string, opts: OpenOptions): Promise<Archive> {
  const abs = path.resolve(file);
  let image: { fd: number; stat: fs.Stats };
  try {
    image = openRegularSync(abs);
  } catch (e) {
    if (e instanceof NotRegularFileError) throw new InitrdError(`${abs} is a ${e.kind}, not a regular file`);
    throw new InitrdError(`cannot open ${abs}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  try {
    return await openImage(abs, image.fd, image.stat, opts);
  } finally {
    fs.closeSync(image.fd);
  }
}

async function openImage(abs: string, fd: number, st: fs.Stats, opts: OpenOptions): Promise<Archive> {
  const cache = privateCacheDir(opts.cacheDir);
  if (cache.refused) opts.onWarning?.(cache.refused);
  const root = path.join(cache.dir, 'initrd');
  const key = cacheKey(abs, st);
  const dir = path.join(root, key);
  const cached = readIndex(dir);
  if (cached) {
    const now = new Date();
    fs.utimesSync(dir, now, now);
    return makeArchive(cached, path.join(dir, 'data'), true);
  }
  const tmp = path.join(root, `.tmp-${key}-${randomBytes(4).toString('hex')}`);
  fs.mkdirSync(tmp, { mode: 0o700 });
  try {
    const idx = await buildIndex(abs, fd, st.size, path.join(tmp, 'data'), opts);
    fs.writeFileSync(path.join(tmp, 'index.json'), JSON.stringify(idx), { mode: 0o600, flag: 'wx' });
    try {
      fs.renameSync(tmp, dir);
    } catch {
      // another process built it first: use theirs
      fs.rmSync(tmp, { recursive: true, force: true });
    }
    evict(root, opts.cacheLimit ?? 4 * 2 ** 30, key);
    return makeArchive(idx, path.join(dir, 'data'), false);
  } catch (e) {
    fs.rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
}

/** A cached index, when `dir` is a real directory (not a symlink) holding a current one. */
function readIndex(dir: string): ArchiveIndex | undefined {
  try {
    if (!fs.lstatSync(dir).isDirectory()) return undefined;
    const fd = fs.openSync(
      path.join(dir, 'index.json'),
      fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK,
    );
    try {
      if (!fs.fstatSync(fd).isFile()) return undefined;
      const idx = JSON.parse(fs.readFileSync(fd, 'utf8')) as ArchiveIndex;
      return idx.version === INDEX_VERSION ? idx : undefined;
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return undefined; // missing or unreadable: rebuild
  }
}

async function buildIndex(
  abs: string,
  fd: number,
  fileSize: number,
  dataPath: string,
  opts: OpenOptions,
): Promise<ArchiveIndex> {
  // 0600: decompressed initrds hold secrets (boot.initrd.secrets, host keys)
  const out = fs.openSync(
    dataPath,
    fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_NOFOLLOW,
    0o600,
  );
  const all: CpioEntry[] = [];
  try {
    let start = 0;
    let end = fileSize;
    let uki: UkiInfo | undefined;
    const head = Buffer.alloc(2);
    fs.readSync(fd, head, 0, 2, 0);
    if (head[0] === 0x4d && head[1] === 0x5a) {
      const pe = readPe(fd, fileSize);
      const initrd = pe.sections.find((s) => s.name === '.initrd');
      if (!initrd)
        throw new InitrdError(
          `${abs} is a PE image without an .initrd section (not a unified kernel image with an initrd)`,
        );
      start = initrd.offset;
      end = initrd.offset + initrd.size;
      const text = (name: string) => {
        const s = pe.sections.find((x) => x.name === name);
        if (!s) return undefined;
        const b = Buffer.alloc(Math.min(s.size, 1 << 20));
        fs.readSync(fd, b, 0, b.length, s.offset);
        return b.toString('utf8').replace(/\0+$/, '').trim();
      };
      uki = {
        cmdline: text('.cmdline'),
        kernelSize: pe.sections.find((s) => s.name === '.linux')?.size,
        sections: pe.sections.map((s) => s.name),
        uname: text('.uname'),
        osRelease: text('.osrel'),
      };
    }
    const sink = new DataSink(out, dataPath);
    let segments;
    try {
      segments = await walkSegments(fd, start, end, sink, opts);
    } finally {
      await sink.finish().catch(() => undefined); // no write may outlive the file descriptor
    }
    await sink.finish();
    return {
      version: INDEX_VERSION,
      file: abs,
      fileSize,
      segments,
      entries: sink.entries,
      ...(uki ? { uki } : {}),
    };
  } finally {
    fs.closeSync(out);
    void all;
  }
}

class DataSink implements CpioSink {
  position = 0;
  entries: CpioEntry[] = [];
  private buf = Buffer.allocUnsafe(1 << 20);
  private used = 0;
  private written = 0;
  /** Writes in flight on the thread pool (they overlap with decoding); bounded to 32 MiB. */
  private pending = 0;
  private error: Error | undefined;
  private drained: (() => void) | undefined;
  readonly direct: DirectCache;
  constructor(
    private readonly fd: number,
    file: string,
  ) {
    this.direct = {
      prepare: async () => {
        await this.finish();
        return { file, offset: this.written };
      },
      appended: (n) => {
        this.written += n;
        this.position += n;
      },
    };
  }
  write(bytes: Uint8Array): void {
    let off = 0;
    while (off < bytes.length) {
      const n = Math.min(bytes.length - off, this.buf.length - this.used);
      this.buf.set(bytes.subarray(off, off + n), this.used);
      this.used += n;
      off += n;
      if (this.used === this.buf.length) this.flush();
    }
    this.position += bytes.length;
  }
  flush(): void {
    if (this.error) throw this.error;
    if (this.used === 0) return;
    const b = this.buf.subarray(0, this.used);
    const at = this.written;
    this.written += this.used;
    this.buf = Buffer.allocUnsafe(1 << 20);
    this.used = 0;
    if (this.pending >= 32) {
      let o = 0;
      while (o < b.length) o += fs.writeSync(this.fd, b, o, b.length - o, at + o);
      return;
    }
    this.pending++;
    const put = (o: number) =>
      fs.write(this.fd, b, o, b.length - o, at + o, (err, n) => {
        if (!err && o + n < b.length) return put(o + n);
        if (err) this.error ??= err;
        if (--this.pending === 0) this.drained?.();
      });
    put(0);
  }
  /** Flushes and waits for every write. */
  async finish(): Promise<void> {
    this.flush();
    if (this.pending > 0) await new Promise<void>((r) => (this.drained = r));
    if (this.error) throw this.error;
  }
  entry(e: CpioEntry): void {
    this.entries.push(e);
  }
}

interface PeSection {
  name: string;
  offset: number;
  size: number;
}

function readPe(fd: number, fileSize: number): { sections: PeSection[] } {
  const b = Buffer.alloc(Math.min(fileSize, 64 * 1024));
  fs.readSync(fd, b, 0, b.length, 0);
  if (b.length < 0x40) throw new InitrdError('truncated PE image');
  const pe = b.readUInt32LE(0x3c);
  if (pe + 24 > b.length || b.toString('latin1', pe, pe + 4) !== 'PE\0\0')
    throw new InitrdError('MZ image without a PE header');
  const nsec = b.readUInt16LE(pe + 6);
  const optSize = b.readUInt16LE(pe + 20);
  let t = pe + 24 + optSize;
  const sections: PeSection[] = [];
  for (let i = 0; i < nsec; i++, t += 40) {
    if (t + 40 > b.length) throw new InitrdError('truncated PE section table');
    const name = b.toString('latin1', t, t + 8).replace(/\0.*$/, '');
    const vsize = b.readUInt32LE(t + 8);
    const rawSize = b.readUInt32LE(t + 16);
    const ptr = b.readUInt32LE(t + 20);
    const size = Math.min(vsize || rawSize, rawSize);
    if (ptr + size > fileSize) throw new InitrdError(`PE section ${name} lies outside the file`);
    sections.push({ name, offset: ptr, size });
  }
  return { sections };
}

function parentOf(p: string): string {
  const i = p.lastIndexOf('/');
  return i <= 0 ? '/' : p.slice(0, i);
}

/** A directory the archive implies (a parent of an entry) but does not list. */
function impliedDir(path: string): CpioEntry {
  return { path, type: 'dir', size: 0, mode: 0o755, uid: 0, gid: 0, mtime: 0, dataOffset: 0, segment: -1 };
}

function makeArchive(idx: ArchiveIndex, dataPath: string, cached: boolean): Archive {
  const byPath = new Map<string, CpioEntry>();
  for (const e of idx.entries) byPath.set(e.path, e); // later entries win
  // implied parent directories
  for (const p of [...byPath.keys()]) {
    let d = parentOf(p);
    while (!byPath.has(d)) {
      byPath.set(d, impliedDir(d));
      if (d === '/') break;
      d = parentOf(d);
    }
  }
  if (!byPath.has('/')) byPath.set('/', impliedDir('/'));
  const entries = [...byPath.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const children = new Map<string, CpioEntry[]>();
  for (const e of entries) {
    if (e.path === '/') continue;
    const d = parentOf(e.path);
    let list = children.get(d);
    if (!list) children.set(d, (list = []));
    list.push(e);
  }
  let looped = false;
  const resolvePath = (p: string, followLast: boolean): CpioEntry | undefined => {
    looped = false;
    let parts = p.split('/').filter((x) => x && x !== '.');
    let hops = 0;
    let cur: string[] = [];
    while (parts.length) {
      const part = parts.shift()!;
      if (part === '..') {
        cur.pop();
        continue;
      }
      const candidate = '/' + [...cur, part].join('/');
      const e = byPath.get(candidate);
      if (!e) return undefined;
      if (e.type === 'symlink' && (parts.length > 0 || followLast)) {
        if (++hops > MAX_SYMLINK_DEPTH) {
          looped = true;
          return undefined;
        }
        const t = e.target ?? '';
        if (t.startsWith('/')) cur = [];
        parts = [...t.split('/').filter((x) => x && x !== '.'), ...parts];
        continue;
      }
      cur.push(part);
    }
    return byPath.get('/' + cur.join('/'));
  };
  const readEntry = async (e: CpioEntry, range?: { start: number; end: number }): Promise<Buffer> => {
    if (e.type !== 'file') throw new InitrdError(`${e.path} is not a regular file`);
    const start = Math.max(0, Math.min(range?.start ?? 0, e.size));
    const end = Math.max(start, Math.min(range?.end ?? e.size, e.size));
    const fh = await fs.promises.open(dataPath, 'r');
    try {
      const b = Buffer.alloc(end - start);
      let got = 0;
      while (got < b.length) {
        const r = await fh.read(b, got, b.length - got, e.dataOffset + start + got);
        if (r.bytesRead === 0)
          throw new InitrdError(`cache file for ${idx.file} is truncated; reopen the image`);
        got += r.bytesRead;
      }
      return b;
    } finally {
      await fh.close();
    }
  };
  return {
    file: idx.file,
    segments: idx.segments,
    entries,
    uki: idx.uki,
    cached,
    get: (p) => byPath.get(normalise(p)),
    list: (dir) => children.get(normalise(dir)) ?? [],
    resolve: (p) => resolvePath(p, true),
    isLoop: (p) => resolvePath(p, true) === undefined && looped,
    readEntry,
    async readFile(p, range) {
      const e = resolvePath(p, true);
      if (!e)
        throw new InitrdError(
          looped
            ? `${normalise(p)}: symlink loop (more than ${MAX_SYMLINK_DEPTH} levels) in ${idx.file}`
            : `${normalise(p)}: no such file in ${idx.file}`,
        );
      return readEntry(e, range);
    },
  };
}

function normalise(p: string): string {
  const parts = p.split('/').filter((x) => x && x !== '.');
  return '/' + parts.join('/');
}

/**
 * Removes least-recently-used cached images until the cache is under `limit` bytes. Never follows
 * a symlink: an entry that is not a directory is removed itself (unlink), and only regular files
 * are counted.
 */
function evict(root: string, limit: number, keep: string): void {
  const items: { dir: string; size: number; used: number }[] = [];
  for (const name of fs.readdirSync(root)) {
    const dir = path.join(root, name);
    try {
      const st = fs.lstatSync(dir);
      if (!st.isDirectory()) {
        fs.unlinkSync(dir);
        continue;
      }
      if (name.startsWith('.tmp-')) {
        if (Date.now() - st.mtimeMs > 24 * 3600_000) fs.rmSync(dir, { recursive: true, force: true });
        continue;
      }
      let size = 0;
      for (const f of fs.readdirSync(dir)) {
        const fst = fs.lstatSync(path.join(dir, f));
        if (fst.isFile()) size += fst.size;
      }
      items.push({ dir, size, used: st.mtimeMs });
    } catch {
      // vanished meanwhile
    }
  }
  let total = items.reduce((s, i) => s + i.size, 0);
  items.sort((a, b) => a.used - b.used);
  for (const it of items) {
    if (total <= limit) break;
    if (path.basename(it.dir) === keep) continue;
    fs.rmSync(it.dir, { recursive: true, force: true });
    total -= it.size;
  }
}
