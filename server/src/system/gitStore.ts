// A read-only git object store reader in TypeScript: loose objects, packfiles (index v2, OFS and
// REF deltas), alternates, refs (loose and packed), revision names. No git process runs.
//
// Why no git: git honours the configuration of the repository it runs in (core.fsmonitor,
// gpg.program with log.showSignature, core.pager, diff.external, filters, hooks, include.path …).
// A repository that came with a workspace is attacker-controlled data; `-c` overrides cannot undo
// multi-valued keys or `include`/`includeIf`, and new executing keys appear with new git versions.
// Reading objects ourselves means nothing in the repository is ever executed or configured:
// `config` is read only for `extensions.objectFormat` and `extensions.refStorage`, as data
// (checkouts.ts reads its remote URLs the same way, to propose repositories).
// See docs/security.md, "A cloned repository".
//
// Bounds: objects held in memory are at most MAX_IN_MEMORY bytes (declared sizes are checked
// before inflating, inflation is capped); undeltified blobs of any size are streamed in slices
// (`streamBlob`), so memory does not grow with a blob's size; deltified objects are rebuilt in
// memory one large object at a time. Every object read is checked against its id (SHA-1 or
// SHA-256 of `type size\0data`).
import { createHash } from 'node:crypto';
import {
  closeSync,
  constants as fsConstants,
  createReadStream,
  existsSync,
  fstatSync,
  lstatSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  statSync,
} from 'node:fs';
import { join, resolve } from 'node:path';
import { constants as zc, createInflate, inflateSync } from 'node:zlib';
import { printable as escape } from '../text';

export type ObjectType = 'blob' | 'tree' | 'commit' | 'tag';

export interface StoredObject {
  readonly oid: string;
  readonly type: ObjectType;
  readonly data: Buffer;
}

/** Largest object read whole into memory (trees, commits, deltified blobs). */
export const MAX_IN_MEMORY = 512 * 1024 * 1024;
/**
 * Longest delta chain followed (git's pack-objects caps --depth at 4095). A chain also ends at the
 * first link seen twice (a REF delta naming itself or a cycle of them is an error, not a loop), so
 * it never has more links than its pack has objects.
 */
export const MAX_DELTA_DEPTH = 5000;
/** Alternates followed from one object directory to the next (git allows 5). */
const MAX_ALTERNATES_DEPTH = 5;
/** Refs read at most, and the largest packed-refs file. */
const MAX_REFS = 1_000_000;
const MAX_PACKED_REFS = 256 * 1024 * 1024;
/** Oid tables of pack indexes up to this size are kept in memory; larger ones are searched on disk. */
const IDX_IN_MEMORY = 32 * 1024 * 1024;
/** Cache of inflated delta bases (by pack and offset). */
const BASE_CACHE = 32 * 1024 * 1024;

const HEX = /^[0-9a-f]+$/;
const TYPES: Record<number, ObjectType> = { 1: 'commit', 2: 'tree', 3: 'blob', 4: 'tag' };
const OFS_DELTA = 6;
const REF_DELTA = 7;

export class GitStoreError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GitStoreError';
  }
}

/** Reads `n` bytes at `pos` (fewer at the end of the file). */
function pread(fd: number, pos: number, n: number): Buffer {
  const b = Buffer.allocUnsafe(n);
  let got = 0;
  while (got < n) {
    const k = readSync(fd, b, got, n - got, pos + got);
    if (k === 0) break;
    got += k;
  }
  return got === n ? b : b.subarray(0, got);
}

/** Inflates the start of a zlib stream (truncated input allowed), at most `max` bytes out. */
function inflatePrefix(input: Buffer, max: number, what: string): Buffer {
  try {
    return inflateSync(input, { finishFlush: zc.Z_SYNC_FLUSH, maxOutputLength: Math.max(max, 64) });
  } catch (e) {
    if ((e as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') {
      // More than `max` bytes available: inflate in a small chunk size and keep the beginning.
      try {
        return inflateSync(input, {
          finishFlush: zc.Z_SYNC_FLUSH,
          chunkSize: 64 * 1024,
          maxOutputLength: 1 << 30,
        }).subarray(0, max);
      } catch {
        /* corrupt further on */
      }
    }
    // zlib's own errors (incorrect header check, invalid distance …) are the data's fault
    throw new GitStoreError(`${what}: corrupt compressed data`);
  }
}

/** Inflates exactly `size` bytes from a zlib stream at the start of `input` (trailing bytes ignored). */
function inflateExact(input: Buffer, size: number, what: string): Buffer {
  let out: Buffer;
  try {
    out = inflateSync(input, { maxOutputLength: Math.max(size, 1) });
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === 'ERR_BUFFER_TOO_LARGE')
      throw new GitStoreError(`${what}: inflates to more than its declared ${size} bytes`);
    throw new GitStoreError(`${what}: corrupt compressed data`);
  }
  if (out.length !== size)
    throw new GitStoreError(`${what}: inflates to ${out.length} bytes, declared ${size}`);
  return out;
}

/** Compressed bytes to read for an object of `size` bytes (zlib's worst-case expansion plus slack). */
const compressedBound = (size: number): number => size + (size >>> 8) + 1024;

interface PackHeader {
  readonly kind: number;
  readonly size: number;
  /** Offset of the zlib data. */
  readonly dataAt: number;
  readonly baseOffset?: number;
  readonly baseOid?: string;
}

class Pack {
  readonly count: number;
  private readonly fanout: Uint32Array;
  private oids: Buffer | undefined;
  readonly packSize: number;
  private readonly idxFd: number;
  readonly fd: number;

  constructor(
    readonly idxPath: string,
    readonly packPath: string,
    readonly hashLen: number,
  ) {
    this.idxFd = openSync(idxPath, 'r');
    try {
      this.fd = openSync(packPath, 'r');
    } catch (e) {
      closeSync(this.idxFd);
      throw e;
    }
    const head = pread(this.idxFd, 0, 8 + 1024);
    if (head.length < 8 + 1024 || head.readUInt32BE(0) !== 0xff744f63 || head.readUInt32BE(4) !== 2) {
      this.close();
      throw new GitStoreError(`${idxPath}: not a version 2 pack index`);
    }
    this.fanout = new Uint32Array(256);
    for (let i = 0; i < 256; i++) {
      this.fanout[i] = head.readUInt32BE(8 + 4 * i);
      // As git's check_packed_git_idx ("non-monotonic index"): with an ascending table every bucket
      // lies within the `count` ids whose size is checked below, so a binary search stays inside it.
      if (i > 0 && this.fanout[i]! < this.fanout[i - 1]!) {
        this.close();
        throw new GitStoreError(`${idxPath}: corrupt pack index (its fan-out table does not ascend)`);
      }
    }
    this.count = this.fanout[255]!;
    const idxSize = fstatSync(this.idxFd).size;
    if (idxSize < 1032 + this.count * (hashLen + 8) + 2 * hashLen) {
      this.close();
      throw new GitStoreError(`${idxPath}: truncated pack index`);
    }
    this.packSize = fstatSync(this.fd).size;
    const ph = pread(this.fd, 0, 12);
    if (ph.length < 12 || ph.toString('latin1', 0, 4) !== 'PACK' || ph.readUInt32BE(8) !== this.count) {
      this.close();
      throw new GitStoreError(`${packPath}: not the pack its index describes`);
    }
    if (this.count * hashLen <= IDX_IN_MEMORY) this.oids = pread(this.idxFd, 1032, this.count * hashLen);
  }

  private oidAt(i: number): Buffer {
    const h = this.hashLen;
    return this.oids ? this.oids.subarray(i * h, (i + 1) * h) : pread(this.idxFd, 1032 + i * h, h);
  }

  /** Index of the first entry ≥ `key` (a full or partial oid) in the fanout bucket. */
  private lowerBound(key: Buffer): number {
    let lo = key[0]! === 0 ? 0 : this.fanout[key[0]! - 1]!;
    let hi = this.fanout[key[0]!]!;
    while (lo < hi) {
      const mid = lo + ((hi - lo) >>> 1);
      if (Buffer.compare(this.oidAt(mid).subarray(0, key.length), key) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  find(oid: Buffer): number | undefined {
    const i = this.lowerBound(oid);
    if (i >= this.count || !this.oidAt(i).equals(oid)) return undefined;
    return this.offsetOf(i);
  }

  /** Oids starting with the hex prefix `hex` (at most `max`). */
  withPrefix(hex: string, max: number): string[] {
    const even = Buffer.from(hex.slice(0, hex.length & ~1), 'hex');
    const key = even.length > 0 ? even : Buffer.from([parseInt(hex[0]! + '0', 16)]);
    const out: string[] = [];
    const end = this.fanout[key[0]!]!; // every id starting with the prefix is in its first byte's bucket
    for (let i = this.lowerBound(key); i < end && out.length < max; i++) {
      const o = this.oidAt(i).toString('hex');
      if (!o.startsWith(hex)) {
        if (o.slice(0, hex.length) > hex) break;
        continue;
      }
      out.push(o);
    }
    return out;
  }

  private offsetOf(i: number): number {
    const n = this.count;
    const h = this.hashLen;
    const off = pread(this.idxFd, 1032 + n * (h + 4) + i * 4, 4).readUInt32BE(0);
    if ((off & 0x80000000) === 0) return off;
    const big = pread(this.idxFd, 1032 + n * (h + 8) + (off & 0x7fffffff) * 8, 8);
    if (big.length < 8) throw new GitStoreError(`${this.idxPath}: bad large offset`);
    return Number(big.readBigUInt64BE(0));
  }

  header(offset: number): PackHeader {
    if (offset < 12 || offset >= this.packSize - this.hashLen)
      throw new GitStoreError(`${this.packPath}: object offset ${offset} outside the pack`);
    const b = pread(this.fd, offset, 32 + this.hashLen);
    let p = 0;
    let c = b[p++]!;
    const kind = (c >> 4) & 7;
    let size = c & 15;
    let shift = 4;
    while (c & 0x80) {
      if (p >= b.length || shift > 49)
        throw new GitStoreError(`${this.packPath}: bad object header at ${offset}`);
      c = b[p++]!;
      size += (c & 0x7f) * 2 ** shift;
      shift += 7;
    }
    if (kind === OFS_DELTA) {
      c = b[p++]!;
      let rel = c & 0x7f;
      while (c & 0x80) {
        if (p >= b.length || rel > 2 ** 45)
          throw new GitStoreError(`${this.packPath}: bad delta offset at ${offset}`);
        c = b[p++]!;
        rel = (rel + 1) * 128 + (c & 0x7f);
      }
      if (rel <= 0 || rel > offset)
        throw new GitStoreError(`${this.packPath}: delta base offset out of range at ${offset}`);
      return { kind, size, dataAt: offset + p, baseOffset: offset - rel };
    }
    if (kind === REF_DELTA) {
      if (p + this.hashLen > b.length)
        throw new GitStoreError(`${this.packPath}: truncated object header at ${offset}`);
      return {
        kind,
        size,
        dataAt: offset + p + this.hashLen,
        baseOid: b.toString('hex', p, p + this.hashLen),
      };
    }
    if (!TYPES[kind]) throw new GitStoreError(`${this.packPath}: unknown object type ${kind} at ${offset}`);
    return { kind, size, dataAt: offset + p };
  }

  /** The compressed data of an object of `size` inflated bytes (all of it, capped by the pack's end). */
  compressed(h: PackHeader, size: number): Buffer {
    const end = this.packSize - this.hashLen;
    return pread(this.fd, h.dataAt, Math.max(0, Math.min(compressedBound(size), end - h.dataAt)));
  }

  close(): void {
    try {
      closeSync(this.idxFd);
    } catch {
      /* already closed */
    }
    try {
      closeSync(this.fd);
    } catch {
      /* already closed */
    }
  }
}

/** Reads the two size varints at the start of delta data. */
function deltaSizes(d: Buffer): { base: number; result: number; at: number } {
  let p = 0;
  const varint = (): number => {
    let v = 0;
    let shift = 0;
    let c: number;
    do {
      if (p >= d.length || shift > 49) throw new GitStoreError('malformed delta header');
      c = d[p++]!;
      v += (c & 0x7f) * 2 ** shift;
      shift += 7;
    } while (c & 0x80);
    return v;
  };
  const base = varint();
  const result = varint();
  return { base, result, at: p };
}

/**
 * Runs a delta's instructions from `at`: checks that each copy stays inside `base` and the
 * declared `result` size and each insert inside the delta, and returns how many bytes they produce.
 * With `out`, also writes them there.
 */
function runDelta(base: Buffer, delta: Buffer, at: number, result: number, out?: Buffer): number {
  let o = 0;
  let p = at;
  while (p < delta.length) {
    const op = delta[p++]!;
    if (op & 0x80) {
      let off = 0;
      let len = 0;
      for (let i = 0; i < 7; i++) {
        if (!(op & (1 << i))) continue;
        if (p >= delta.length) throw new GitStoreError('delta ends inside a copy instruction');
        if (i < 4) off += delta[p++]! * 2 ** (8 * i);
        else len += delta[p++]! * 2 ** (8 * (i - 4));
      }
      if (len === 0) len = 0x10000;
      if (off + len > base.length || o + len > result)
        throw new GitStoreError('delta copies outside its base or result');
      if (out) base.copy(out, o, off, off + len);
      o += len;
    } else if (op !== 0) {
      if (p + op > delta.length || o + op > result) throw new GitStoreError('delta inserts past its end');
      if (out) delta.copy(out, o, p, p + op);
      o += op;
      p += op;
    } else throw new GitStoreError('delta has a reserved opcode 0');
  }
  return o;
}

/** Results up to this size are allocated before a delta's instructions are checked. */
const DELTA_PRECHECK = 1024 * 1024;

/**
 * Applies a git delta to `base`. For a result over DELTA_PRECHECK bytes the instructions are
 * checked in a first pass, so that it is allocated only for a delta that produces exactly its
 * declared size (a few bytes declaring 512 MiB allocate nothing).
 */
function applyDelta(base: Buffer, delta: Buffer): Buffer {
  const { base: baseSize, result, at } = deltaSizes(delta);
  if (baseSize !== base.length)
    throw new GitStoreError(`delta expects a ${baseSize}-byte base, found ${base.length}`);
  if (result > MAX_IN_MEMORY)
    throw new GitStoreError(`deltified object of ${result} bytes: larger than ${MAX_IN_MEMORY}, not read`);
  if (result > DELTA_PRECHECK) {
    const n = runDelta(base, delta, at, result);
    if (n !== result) throw new GitStoreError(`delta produced ${n} bytes, declared ${result}`);
  }
  const out = Buffer.allocUnsafe(result);
  const n = runDelta(base, delta, at, result, out);
  if (n !== result) throw new GitStoreError(`delta produced ${n} bytes, declared ${result}`);
  return out;
}

/** Key of a packed object in the base cache and in a delta chain's visited set. */
const cacheKey = (p: Pack, offset: number): string => `${p.packPath}\0${offset}`;

/** Where an object is: a loose file, or a pack and offset. */
type Location = { loose: string } | { pack: Pack; offset: number };

export interface ObjectInfo {
  readonly type: ObjectType;
  readonly size: number;
}

export interface CommitData {
  readonly oid: string;
  readonly tree: string;
  readonly parents: string[];
  /** Committer time, seconds since the epoch. */
  readonly time: number;
  /** First paragraph of the message, lines joined by spaces (git's `%s`). */
  readonly subject: string;
}

/**
 * A git repository opened for reading. `dir` is a work tree (with a `.git` directory or a `.git`
 * file naming the git directory), a bare repository, or a git directory.
 */
export class GitStore {
  readonly gitDir: string;
  readonly commonDir: string;
  readonly hashLen: 20 | 32;
  private readonly objectDirs: string[];
  private packs: Pack[] | undefined;
  private readonly baseCache = new Map<string, { type: ObjectType; data: Buffer }>();
  private baseCached = 0;
  private closed = false;
  /** One large rebuilt (deltified) object at a time: memory stays bounded by one such object. */
  private bigLock: Promise<void> = Promise.resolve();

  constructor(dir: string) {
    const d = resolve(dir);
    const { gitDir, commonDir } = gitDirs(d);
    this.gitDir = gitDir;
    this.commonDir = commonDir;
    const ext = extensions(readConfig(commonDir));
    if (ext.refstorage && ext.refstorage !== 'files')
      throw new GitStoreError(
        `${d} stores refs as '${ext.refstorage}': only the 'files' ref storage is read`,
      );
    if (ext.objectformat && ext.objectformat !== 'sha1' && ext.objectformat !== 'sha256')
      throw new GitStoreError(`${d} uses object format '${ext.objectformat}'`);
    this.hashLen = ext.objectformat === 'sha256' ? 32 : 20;
    this.objectDirs = [];
    const addObjects = (objDir: string, depth: number): void => {
      if (this.objectDirs.includes(objDir) || !isDir(objDir)) return;
      this.objectDirs.push(objDir);
      if (depth >= MAX_ALTERNATES_DEPTH) return;
      const alt = join(objDir, 'info', 'alternates');
      if (!existsSync(alt)) return;
      for (const line of readSmall(alt, 64 * 1024).split('\n')) {
        const l = line.trim();
        if (l && !l.startsWith('#') && !l.startsWith('"')) addObjects(resolve(objDir, l), depth + 1);
      }
    };
    addObjects(join(this.commonDir, 'objects'), 0);
    if (this.objectDirs.length === 0) throw new GitStoreError(`${d}: no objects directory`);
  }

  private allPacks(): Pack[] {
    if (this.packs) return this.packs;
    const packs: Pack[] = [];
    for (const od of this.objectDirs) {
      const pd = join(od, 'pack');
      let names: string[];
      try {
        names = readdirSync(pd);
      } catch {
        continue;
      }
      for (const n of names.sort()) {
        if (!n.endsWith('.idx')) continue;
        const pack = join(pd, `${n.slice(0, -4)}.pack`);
        if (!existsSync(pack)) continue;
        packs.push(new Pack(join(pd, n), pack, this.hashLen));
      }
    }
    this.packs = packs;
    return packs;
  }

  private fanoutDirs = new Map<string, Set<string>>();

  /** The loose-object fan-out directories (`00`…`ff`) present in an object directory. */
  private fanouts(od: string): Set<string> {
    let f = this.fanoutDirs.get(od);
    if (!f) {
      f = new Set();
      try {
        for (const n of readdirSync(od)) if (/^[0-9a-f]{2}$/.test(n)) f.add(n);
      } catch {
        /* unreadable: no loose objects */
      }
      this.fanoutDirs.set(od, f);
    }
    return f;
  }

  private checkOid(oid: string): Buffer {
    if (oid.length !== this.hashLen * 2 || !HEX.test(oid))
      throw new GitStoreError(`invalid object id '${printable(oid)}'`);
    return Buffer.from(oid, 'hex');
  }

  private locate(oid: string): Location {
    if (this.closed) throw new GitStoreError('git repository reader closed');
    const bin = this.checkOid(oid);
    for (const od of this.objectDirs) {
      // Only fan-out directories that exist are probed (a packed repository has none).
      if (!this.fanouts(od).has(oid.slice(0, 2))) continue;
      const f = join(od, oid.slice(0, 2), oid.slice(2));
      if (existsSync(f)) return { loose: f };
    }
    for (const p of this.allPacks()) {
      const off = p.find(bin);
      if (off !== undefined) return { pack: p, offset: off };
    }
    throw new GitStoreError(`git object '${oid}' not found in ${this.gitDir}`);
  }

  /** Type and size of an object, inflating only its header (and the type of a delta's base). */
  info(oid: string): ObjectInfo {
    const loc = this.locate(oid);
    if ('loose' in loc) {
      const fd = openSync(loc.loose, 'r');
      try {
        return parseLooseHeader(inflatePrefix(pread(fd, 0, 1024), 256, loc.loose), loc.loose).info;
      } finally {
        closeSync(fd);
      }
    }
    const h = loc.pack.header(loc.offset);
    if (TYPES[h.kind]) return { type: TYPES[h.kind]!, size: h.size };
    const d = inflatePrefix(
      loc.pack.compressed(h, Math.min(h.size, 64)),
      32,
      `${loc.pack.packPath}: delta at ${loc.offset}`,
    );
    return { type: this.packedType(loc.pack, loc.offset), size: deltaSizes(d).result };
  }

  private packedType(pack: Pack, offset: number): ObjectType {
    let p = pack;
    let off = offset;
    const seen = new Set<string>();
    for (let depth = 0; depth <= MAX_DELTA_DEPTH; depth++) {
      const key = cacheKey(p, off);
      if (seen.has(key))
        throw new GitStoreError(`${p.packPath}: delta chain at ${offset} loops back to offset ${off}`);
      seen.add(key);
      const h = p.header(off);
      if (TYPES[h.kind]) return TYPES[h.kind]!;
      if (h.baseOffset !== undefined) off = h.baseOffset;
      else {
        const loc = this.locate(h.baseOid!);
        if ('loose' in loc) return this.info(h.baseOid!).type;
        p = loc.pack;
        off = loc.offset;
      }
    }
    throw new GitStoreError(`delta chain longer than ${MAX_DELTA_DEPTH}`);
  }

  /**
   * Type and size of an object, and its contents when they are at most `max` bytes (checked
   * against its id); larger objects are left unread (stream them).
   */
  readUpTo(oid: string, max: number): ObjectInfo & { data?: Buffer } {
    const loc = this.locate(oid);
    if ('pack' in loc) {
      const h = loc.pack.header(loc.offset);
      if (TYPES[h.kind] && h.size > max) return { type: TYPES[h.kind]!, size: h.size };
      if (!TYPES[h.kind]) {
        const i = this.info(oid);
        if (i.size > max) return i;
      }
      const o = this.readPacked(loc.pack, loc.offset, max);
      verify(oid, o.type, o.data, this.hashLen);
      return { type: o.type, size: o.data.length, data: o.data };
    }
    const i = this.info(oid);
    if (i.size > max) return i;
    const o = this.readLoose(loc.loose, max);
    verify(oid, o.type, o.data, this.hashLen);
    return { type: o.type, size: o.data.length, data: o.data };
  }

  /** Reads a whole object into memory (at most `max` bytes) and checks it against its id. */
  read(oid: string, max = MAX_IN_MEMORY): StoredObject {
    const loc = this.locate(oid);
    const o = 'loose' in loc ? this.readLoose(loc.loose, max) : this.readPacked(loc.pack, loc.offset, max);
    verify(oid, o.type, o.data, this.hashLen);
    return { oid, type: o.type, data: o.data };
  }

  private readLoose(file: string, max: number): { type: ObjectType; data: Buffer } {
    const fd = openSync(file, 'r');
    try {
      const { info, headerLen } = parseLooseHeader(inflatePrefix(pread(fd, 0, 1024), 256, file), file);
      if (info.size > max)
        throw new GitStoreError(`git object ${file} is ${info.size} bytes: larger than ${max}, not read`);
      const total = headerLen + info.size;
      const all = inflateExact(pread(fd, 0, compressedBound(total)), total, file);
      return { type: info.type, data: all.subarray(headerLen) };
    } finally {
      closeSync(fd);
    }
  }

  /**
   * Reads a packed object, rebuilding it through its delta chain. The chain is walked first, by
   * headers only (no recursion), down to a whole object, a loose base or a cached one; it ends with
   * an error at MAX_DELTA_DEPTH links or at a link seen twice (a REF delta naming itself, or a cycle
   * of REF deltas: OFS deltas always point backwards). Then the deltas are inflated and applied from
   * the base up, one at a time, so memory holds one base, one delta and one result.
   */
  private readPacked(pack: Pack, offset: number, max: number): { type: ObjectType; data: Buffer } {
    const where = (p: Pack, off: number) => `${p.packPath} at ${off}`;
    const chain: { pack: Pack; offset: number; h: PackHeader; delta?: Buffer }[] = [];
    let seen: Set<string> | undefined; // made at the first delta link
    let p = pack;
    let off = offset;
    let base: { type: ObjectType; data: Buffer };
    for (;;) {
      const key = cacheKey(p, off);
      const hit = this.baseCache.get(key);
      if (hit) {
        this.baseCache.delete(key);
        this.baseCache.set(key, hit);
        if (chain.length === 0 && hit.data.length > max)
          throw new GitStoreError(
            `git object at ${off} of ${p.packPath} is ${hit.data.length} bytes: larger than ${max}, not read`,
          );
        base = hit;
        break;
      }
      if (seen?.has(key))
        throw new GitStoreError(
          `${pack.packPath}: the delta chain of the object at ${offset} loops back to ${where(p, off)}`,
        );
      const h = p.header(off);
      const limit = chain.length === 0 ? max : MAX_IN_MEMORY;
      if (TYPES[h.kind]) {
        if (h.size > limit)
          throw new GitStoreError(
            `git object at ${off} of ${p.packPath} is ${h.size} bytes: larger than ${limit}, not read`,
          );
        base = { type: TYPES[h.kind]!, data: inflateExact(p.compressed(h, h.size), h.size, where(p, off)) };
        this.cache(key, base);
        break;
      }
      if (chain.length >= MAX_DELTA_DEPTH)
        throw new GitStoreError(`delta chain longer than ${MAX_DELTA_DEPTH} at ${where(pack, offset)}`);
      if (h.size > MAX_IN_MEMORY)
        throw new GitStoreError(`delta of ${h.size} bytes at ${off} of ${p.packPath}: too large`);
      const link: (typeof chain)[number] = { pack: p, offset: off, h };
      if (chain.length === 0) {
        // The object asked for: its size is known from its delta, before any base is read.
        link.delta = inflateExact(p.compressed(h, h.size), h.size, where(p, off));
        const { result } = deltaSizes(link.delta);
        if (result > max)
          throw new GitStoreError(
            `git object at ${off} of ${p.packPath} is ${result} bytes: larger than ${max}, not read`,
          );
      }
      chain.push(link);
      (seen ??= new Set()).add(key);
      if (h.baseOffset !== undefined) off = h.baseOffset;
      else {
        const loc = this.locate(h.baseOid!);
        if ('loose' in loc) {
          base = this.readLoose(loc.loose, MAX_IN_MEMORY);
          break;
        }
        p = loc.pack;
        off = loc.offset;
      }
    }
    for (let i = chain.length - 1; i >= 0; i--) {
      const { pack: lp, offset: lo, h } = chain[i]!;
      const delta = chain[i]!.delta ?? inflateExact(lp.compressed(h, h.size), h.size, where(lp, lo));
      base = { type: base.type, data: applyDelta(base.data, delta) };
      this.cache(cacheKey(lp, lo), base);
    }
    return base;
  }

  /** Keeps a rebuilt object of at most BASE_CACHE / 16 bytes, evicting the least recently used. */
  private cache(key: string, o: { type: ObjectType; data: Buffer }): void {
    if (o.data.length > BASE_CACHE / 16 || this.baseCache.has(key)) return;
    this.baseCache.set(key, o);
    this.baseCached += o.data.length;
    while (this.baseCached > BASE_CACHE) {
      const [k, v] = this.baseCache.entries().next().value as [string, { data: Buffer }];
      this.baseCache.delete(k);
      this.baseCached -= v.data.length;
    }
  }

  /**
   * Streams a blob's contents to `onChunk` in slices (at most 1 MiB each), checking its id at the
   * end. Undeltified objects are inflated as they are read (constant memory); deltified ones are
   * rebuilt in memory, one at a time.
   */
  async streamBlob(oid: string, onChunk: (b: Buffer) => void, signal?: AbortSignal): Promise<number> {
    const loc = this.locate(oid);
    let start: number;
    let end: number;
    let file: string;
    let skipHeader = false;
    let info: ObjectInfo;
    if ('loose' in loc) {
      file = loc.loose;
      start = 0;
      end = Infinity;
      skipHeader = true;
      info = this.info(oid);
    } else {
      const h = loc.pack.header(loc.offset);
      if (!TYPES[h.kind]) {
        // Deltified: rebuilt whole (bounded by MAX_IN_MEMORY), one such object at a time.
        const prev = this.bigLock;
        let release!: () => void;
        this.bigLock = new Promise((r) => (release = r));
        await prev;
        try {
          const o = this.read(oid);
          if (o.type !== 'blob') throw new GitStoreError(`${oid} is a ${o.type}, not a blob`);
          for (let p = 0; p < o.data.length; p += 1024 * 1024) {
            if (signal?.aborted) throw new Error('cancelled');
            onChunk(o.data.subarray(p, Math.min(o.data.length, p + 1024 * 1024)));
          }
          return o.data.length;
        } finally {
          release();
        }
      }
      info = { type: TYPES[h.kind]!, size: h.size };
      file = loc.pack.packPath;
      start = h.dataAt;
      end = Math.min(loc.pack.packSize - this.hashLen, h.dataAt + compressedBound(h.size)) - 1;
    }
    if (info.type !== 'blob') throw new GitStoreError(`${oid} is a ${info.type}, not a blob`);
    const sha = createHash(this.hashLen === 32 ? 'sha256' : 'sha1');
    sha.update(`blob ${info.size}\0`);
    let done = 0;
    let header = skipHeader ? Buffer.alloc(0) : undefined;
    const src = createReadStream(file, {
      start,
      end: end === Infinity ? undefined : end,
      highWaterMark: 256 * 1024,
    });
    const inflate = createInflate({ chunkSize: 256 * 1024 });
    src.on('error', (e) => inflate.destroy(e));
    src.pipe(inflate);
    try {
      for await (const raw of inflate) {
        if (signal?.aborted) throw new Error('cancelled');
        let c = raw as Buffer;
        if (header) {
          header = Buffer.concat([header, c]);
          const nul = header.indexOf(0);
          if (nul < 0) {
            if (header.length > 64) throw new GitStoreError(`${file}: malformed loose object header`);
            continue;
          }
          c = header.subarray(nul + 1);
          header = undefined;
        }
        if (done + c.length > info.size)
          throw new GitStoreError(`git object ${oid}: more data than its declared ${info.size} bytes`);
        if (c.length === 0) continue;
        sha.update(c);
        onChunk(c);
        done += c.length;
        if (done === info.size) break;
      }
    } catch (e) {
      if (e instanceof GitStoreError || (e as Error).message === 'cancelled') throw e;
      throw new GitStoreError(`git object ${oid}: corrupt compressed data`);
    } finally {
      src.destroy();
      inflate.destroy();
    }
    if (done !== info.size)
      throw new GitStoreError(`git object ${oid}: ${done} bytes, declared ${info.size}`);
    if (sha.digest('hex') !== oid) throw new GitStoreError(`git object ${oid}: contents do not match its id`);
    return done;
  }

  /** Parses a commit object. */
  commit(oid: string): CommitData {
    const o = this.read(oid, 64 * 1024 * 1024);
    if (o.type !== 'commit') throw new GitStoreError(`${oid} is a ${o.type}, not a commit`);
    return parseCommit(oid, o.data, this.hashLen);
  }

  /** Follows tags to the object they name (at most 16 levels). */
  peel(oid: string, want: 'commit' | 'tree'): string {
    let cur = oid;
    for (let i = 0; i < 16; i++) {
      const t = this.info(cur).type;
      if (t === want) return cur;
      if (t === 'tag') {
        const m = /^object ([0-9a-f]+)$/m.exec(this.read(cur, 16 * 1024 * 1024).data.toString('latin1'));
        if (!m) throw new GitStoreError(`tag ${cur} names no object`);
        cur = m[1]!;
      } else if (t === 'commit' && want === 'tree') return this.commit(cur).tree;
      else throw new GitStoreError(`${cur} is a ${t}, not a ${want}`);
    }
    throw new GitStoreError(`tag chain too long at ${oid}`);
  }

  /** Every ref (loose ones override packed ones) and HEAD, as name → oid. Symbolic refs resolved. */
  refs(): Map<string, string> {
    const raw = new Map<string, string>();
    const packed = join(this.commonDir, 'packed-refs');
    if (existsSync(packed)) {
      if (statSync(packed).size > MAX_PACKED_REFS)
        throw new GitStoreError(`${packed} is larger than ${MAX_PACKED_REFS} bytes`);
      for (const line of readFileSync(packed, 'latin1').split('\n')) {
        const m = /^([0-9a-f]{40,64}) (refs\/\S+)$/.exec(line);
        if (m) raw.set(m[2]!, m[1]!);
      }
    }
    const walk = (dir: string, name: string): void => {
      let entries;
      try {
        entries = readdirSync(dir, { withFileTypes: true });
      } catch {
        return;
      }
      for (const e of entries) {
        if (raw.size > MAX_REFS) throw new GitStoreError(`more than ${MAX_REFS} refs`);
        const p = join(dir, e.name);
        if (e.isDirectory()) walk(p, `${name}/${e.name}`);
        else if (e.isFile()) raw.set(`${name}/${e.name}`, readSmall(p, 4096).trim());
      }
    };
    walk(join(this.commonDir, 'refs'), 'refs');
    const head = join(this.gitDir, 'HEAD');
    if (existsSync(head)) raw.set('HEAD', readSmall(head, 4096).trim());
    const out = new Map<string, string>();
    for (const [name, v] of raw) {
      let val: string | undefined = v;
      for (let i = 0; i < 8 && val?.startsWith('ref: '); i++) val = raw.get(val.slice(5).trim());
      if (val && val.length === this.hashLen * 2 && /^[0-9a-f]+$/.test(val)) out.set(name, val);
    }
    return out;
  }

  /** Oids with a hex prefix, among loose and packed objects (at most 2: enough to tell unique). */
  private withPrefix(hex: string): string[] {
    const found = new Set<string>();
    for (const od of this.objectDirs) {
      let names: string[] = [];
      try {
        names = readdirSync(join(od, hex.slice(0, 2)));
      } catch {
        /* no such fan-out directory */
      }
      for (const n of names) if ((hex.slice(0, 2) + n).startsWith(hex)) found.add(hex.slice(0, 2) + n);
    }
    for (const p of this.allPacks()) for (const o of p.withPrefix(hex, 2)) found.add(o);
    return [...found].slice(0, 2);
  }

  /**
   * Resolves a revision: a full or abbreviated (≥ 4 hex digits) object id, `HEAD`, a ref name as
   * git spells it (`main`, `v1.0`, `origin/main`, `refs/heads/x`), each optionally followed by
   * `~N`, `^` or `^N` and a final `^{commit}` / `^{tree}`. Returns the peeled object id.
   */
  resolve(rev: string, want: 'commit' | 'tree' = 'commit'): string {
    if (rev.length === 0 || rev.length > 1024 || rev.startsWith('-') || /[\0-\x20\x7f]|\.\.|@\{|:/.test(rev))
      throw new GitStoreError(`invalid revision '${printable(rev)}'`);
    let peel = want;
    let r = rev;
    const pm = /\^\{(commit|tree)\}$/.exec(r);
    if (pm) {
      peel = pm[1] as 'commit' | 'tree';
      r = r.slice(0, -pm[0].length);
    }
    const steps: [string, number][] = [];
    let sm: RegExpExecArray | null;
    while ((sm = /(~|\^)(\d*)$/.exec(r))) {
      steps.unshift([sm[1]!, sm[2] === '' ? 1 : Number(sm[2])]);
      r = r.slice(0, -sm[0].length);
    }
    let oid: string | undefined;
    if (new RegExp(`^[0-9a-f]{${this.hashLen * 2}}$`).test(r)) oid = r;
    else {
      const refs = this.refs();
      for (const n of r === 'HEAD'
        ? ['HEAD']
        : [
            r,
            `refs/${r}`,
            `refs/tags/${r}`,
            `refs/heads/${r}`,
            `refs/remotes/${r}`,
            `refs/remotes/${r}/HEAD`,
          ]) {
        if (refs.has(n)) {
          oid = refs.get(n);
          break;
        }
      }
      if (!oid && /^[0-9a-f]{4,}$/.test(r)) {
        const m = this.withPrefix(r);
        if (m.length > 1) throw new GitStoreError(`revision '${r}' is ambiguous`);
        oid = m[0];
      }
    }
    if (!oid) throw new GitStoreError(`revision '${printable(rev)}' not found in ${this.gitDir}`);
    if (steps.length > 0 || peel === 'commit') oid = this.peel(oid, 'commit');
    for (const [op, n] of steps) {
      if (op === '~') for (let i = 0; i < n; i++) oid = this.nthParent(oid!, 1, rev);
      else oid = n === 0 ? oid : this.nthParent(oid!, n, rev);
    }
    return this.peel(oid!, peel);
  }

  private nthParent(oid: string, n: number, rev: string): string {
    const p = this.commit(oid).parents[n - 1];
    if (!p) throw new GitStoreError(`revision '${printable(rev)}' not found: ${oid} has no parent ${n}`);
    return p;
  }

  /**
   * Commits reachable from every ref and HEAD, newest committer time first (git log --all's
   * order), at most `limit`. Parents missing from a shallow clone end the walk there.
   */
  listCommits(limit: number, signal?: AbortSignal): CommitData[] {
    const shallow = new Set<string>();
    const sf = join(this.commonDir, 'shallow');
    if (existsSync(sf))
      for (const l of readSmall(sf, 64 * 1024 * 1024).split('\n')) if (l.trim()) shallow.add(l.trim());
    const seen = new Set<string>();
    const heap: CommitData[] = [];
    const push = (c: CommitData): void => {
      heap.push(c);
      let i = heap.length - 1;
      while (i > 0) {
        const p = (i - 1) >> 1;
        if (heap[p]!.time >= c.time) break;
        heap[i] = heap[p]!;
        i = p;
      }
      heap[i] = c;
    };
    const pop = (): CommitData => {
      const top = heap[0]!;
      const last = heap.pop()!;
      if (heap.length > 0) {
        let i = 0;
        for (;;) {
          const l = 2 * i + 1;
          const r = l + 1;
          let m = i;
          const mt = (k: number) => (k === i ? last.time : heap[k]!.time);
          if (l < heap.length && heap[l]!.time > mt(m)) m = l;
          if (r < heap.length && heap[r]!.time > mt(m)) m = r;
          if (m === i) break;
          heap[i] = heap[m]!;
          i = m;
        }
        heap[i] = last;
      }
      return top;
    };
    const visit = (oid: string, fromRef: boolean): void => {
      if (seen.has(oid)) return;
      seen.add(oid);
      let c: string;
      try {
        c = fromRef ? this.peel(oid, 'commit') : oid;
      } catch (e) {
        // A ref to a tree or blob is not history; a missing object below a shallow boundary ends it.
        if (fromRef && /is a (tree|blob)/.test((e as Error).message)) return;
        throw e;
      }
      if (c !== oid) {
        if (seen.has(c)) return;
        seen.add(c);
      }
      push(this.commit(c));
    };
    for (const oid of this.refs().values()) visit(oid, true);
    const out: CommitData[] = [];
    const max = Math.max(1, Math.floor(limit));
    while (heap.length > 0 && out.length < max) {
      if (signal?.aborted) throw new Error('cancelled');
      const c = pop();
      out.push(c);
      if (!shallow.has(c.oid)) for (const p of c.parents) visit(p, false);
    }
    return out;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const p of this.packs ?? []) p.close();
    this.baseCache.clear();
  }
}

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/**
 * The git directory of `d` (a work tree with a `.git` directory or `gitdir:` file, a bare
 * repository, or a git directory) and its common directory (`commondir` of a linked work tree).
 */
export function gitDirs(d: string): { gitDir: string; commonDir: string } {
  let gitDir: string;
  const dotGit = join(d, '.git');
  let st;
  try {
    st = lstatSync(dotGit);
  } catch {
    st = undefined;
  }
  if (st?.isDirectory()) gitDir = dotGit;
  else if (st?.isFile()) {
    const m = /^gitdir: (.+)$/m.exec(readSmall(dotGit, 4096));
    if (!m) throw new GitStoreError(`${dotGit} is neither a directory nor a 'gitdir:' file`);
    gitDir = resolve(d, m[1]!.trim());
  } else if (isDir(join(d, 'objects')) && existsSync(join(d, 'HEAD'))) gitDir = d;
  else throw new GitStoreError(`${d} is not a git repository (no .git, and not a bare repository)`);
  const common = join(gitDir, 'commondir');
  return { gitDir, commonDir: existsSync(common) ? resolve(gitDir, readSmall(common, 4096).trim()) : gitDir };
}

/** The text of the `config` file in a common git directory ('' when there is none; at most 1 MiB). */
export function readConfig(commonDir: string): string {
  return existsSync(join(commonDir, 'config')) ? readSmall(join(commonDir, 'config'), 1024 * 1024) : '';
}

/**
 * A small file's text (refs, HEAD, gitdir files, config); longer files are refused. Anything but a
 * regular file is refused before it is opened, and the open does not block: a FIFO put in its place
 * would otherwise wait for a writer forever.
 */
function readSmall(file: string, max: number): string {
  if (!statSync(file).isFile()) throw new GitStoreError(`${file} is not a regular file`);
  const fd = openSync(file, fsConstants.O_RDONLY | fsConstants.O_NONBLOCK | fsConstants.O_NOCTTY);
  try {
    if (!fstatSync(fd).isFile()) throw new GitStoreError(`${file} is not a regular file`);
    const b = pread(fd, 0, max + 1);
    if (b.length > max) throw new GitStoreError(`${file} is larger than ${max} bytes`);
    return b.toString('utf8');
  } finally {
    closeSync(fd);
  }
}

/** `[extensions]` of a git config file, read as data (lower-case keys). Nothing else is read. */
export function extensions(config: string): Record<string, string> {
  const out: Record<string, string> = {};
  let inExt = false;
  for (const raw of config.split('\n')) {
    const line = raw.replace(/[#;].*$/, '').trim();
    const sec = /^\[\s*([A-Za-z0-9.-]+)(?:\s+"[^"]*")?\s*\]\s*(.*)$/.exec(line);
    let rest = line;
    if (sec) {
      inExt = sec[1]!.toLowerCase() === 'extensions';
      rest = sec[2]!;
    }
    const kv = /^([A-Za-z][A-Za-z0-9-]*)\s*=\s*"?([^"]*)"?$/.exec(rest);
    if (inExt && kv) out[kv[1]!.toLowerCase()] = kv[2]!.trim().toLowerCase();
  }
  return out;
}

function parseLooseHeader(head: Buffer, file: string): { info: ObjectInfo; headerLen: number } {
  const nul = head.indexOf(0);
  const m = nul > 0 ? /^(blob|tree|commit|tag) (\d{1,15})$/.exec(head.toString('latin1', 0, nul)) : null;
  if (!m) throw new GitStoreError(`${file}: not a loose git object`);
  return { info: { type: m[1] as ObjectType, size: Number(m[2]) }, headerLen: nul + 1 };
}

function verify(oid: string, type: ObjectType, data: Buffer, hashLen: number): void {
  const h = createHash(hashLen === 32 ? 'sha256' : 'sha1');
  h.update(`${type} ${data.length}\0`);
  h.update(data);
  if (h.digest('hex') !== oid) throw new GitStoreError(`git object ${oid}: contents do not match its id`);
}

export function parseCommit(oid: string, data: Buffer, hashLen = 20): CommitData {
  const text = data.toString('utf8');
  const end = text.indexOf('\n\n');
  const head = end < 0 ? text : text.slice(0, end);
  const hex = `[0-9a-f]{${hashLen * 2}}`;
  const tree = new RegExp(`^tree (${hex})$`, 'm').exec(head);
  if (!tree) throw new GitStoreError(`commit ${oid} names no tree`);
  const parents = [...head.matchAll(new RegExp(`^parent (${hex})$`, 'gm'))].map((m) => m[1]!);
  const committer = /^committer .* (-?\d+) [+-]\d{4}$/m.exec(head);
  const time = committer ? Number(committer[1]) : 0;
  const body = end < 0 ? '' : text.slice(end + 2);
  const para = body.replace(/^\n+/, '').split(/\n[ \t]*\n/)[0] ?? '';
  const subject = para
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .join(' ');
  return { oid, tree: tree[1]!, parents, time, subject };
}

/** A name as it may appear in a message: escaped, at most 200 characters. */
function printable(s: string): string {
  return escape(s.length > 200 ? `${s.slice(0, 200)}…` : s);
}
