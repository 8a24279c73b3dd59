// NAR ("nix-archive-1") serialisation, as in NixOS/nix `src/libutil/archive.cc`, streamed into a
// sink in 1 MiB batches; and a NAR parser. Pure code: reads files, spawns nothing.
//
//   nar      = str("nix-archive-1") node
//   node     = str("(") str("type") ( regular | directory | symlink ) str(")")
//   regular  = str("regular") [str("executable") str("")] str("contents") str(bytes)
//   symlink  = str("symlink") str("target") str(target)
//   directory= str("directory") { str("entry") str("(") str("name") str(name) str("node") node str(")") }
//   str(x)   = u64-LE length, bytes, zero padding to a multiple of 8
// Directory entries are sorted by the bytes of their names; only the owner-exec bit survives.
// hashPath reads files straight into the buffers that a worker thread hashes (see hashRing.ts).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createHash } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { HashRing } from './hashRing';
import { fileKind, openRegularSync } from '../files';

/** Receives NAR bytes in order. The chunk is only valid during the call: copy it to keep it. */
export type Sink = (chunk: Uint8Array) => void;

/**
 * Where a NarWriter's buffers go: given a filled buffer (its first `len` bytes are NAR), returns
 * the buffer to fill next (the same one once its bytes are consumed, or another).
 */
export interface NarTarget {
  swap(full: Buffer, len: number): Buffer;
}

const BATCH = 1024 * 1024;

/**
 * Writes NAR tokens into buffers handed over by a target. File contents are read straight into
 * the buffer (no intermediate copy).
 */
export class NarWriter {
  private buf: Buffer;
  private pos = 0;
  /** Bytes written so far (the NAR size once finished). */
  size = 0;
  constructor(
    private readonly target: NarTarget,
    first: Buffer = Buffer.allocUnsafe(BATCH),
  ) {
    this.buf = first;
  }

  private raw(bytes: Uint8Array): void {
    let o = 0;
    while (o < bytes.length) {
      if (this.pos === this.buf.length) this.flush();
      const n = Math.min(bytes.length - o, this.buf.length - this.pos);
      this.buf.set(o === 0 && n === bytes.length ? bytes : bytes.subarray(o, o + n), this.pos);
      this.pos += n;
      o += n;
    }
    this.size += bytes.length;
  }

  private u64(n: number): void {
    if (this.pos + 8 > this.buf.length) this.flush();
    this.buf.writeUInt32LE(n % 0x100000000, this.pos);
    this.buf.writeUInt32LE(Math.floor(n / 0x100000000), this.pos + 4);
    this.pos += 8;
    this.size += 8;
  }

  private pad(n: number): void {
    const p = (8 - (n % 8)) % 8;
    if (p) this.raw(ZEROS.subarray(0, p));
  }

  str(s: string | Uint8Array): void {
    const b = typeof s === 'string' ? Buffer.from(s, 'utf8') : s;
    this.u64(b.length);
    this.raw(b);
    this.pad(b.length);
  }

  magic(): void {
    this.raw(TOK.magic);
  }
  /** `( type regular [executable ""] contents <size>` — follow with `data()`/`read()` then `endRegular(size)`. */
  beginRegular(executable: boolean, size: number): void {
    this.raw(executable ? TOK.execHead : TOK.regHead);
    this.u64(size);
  }
  data(chunk: Uint8Array): void {
    this.raw(chunk);
  }
  /**
   * Reads contents from `fd` at `offset` straight into the current buffer: up to `want` bytes,
   * at most what fits (a full buffer is handed over first). Returns the bytes read (0 at EOF).
   */
  read(fd: number, want: number, offset: number): number {
    if (this.pos === this.buf.length) this.flush();
    const n = fs.readSync(fd, this.buf, this.pos, Math.min(want, this.buf.length - this.pos), offset);
    this.pos += n;
    this.size += n;
    return n;
  }
  endRegular(size: number): void {
    this.pad(size);
    this.raw(TOK.close);
  }
  regular(executable: boolean, contents: Uint8Array): void {
    this.beginRegular(executable, contents.length);
    this.raw(contents);
    this.endRegular(contents.length);
  }
  symlink(target: string | Uint8Array): void {
    this.raw(TOK.symHead);
    this.str(target);
    this.raw(TOK.close);
  }
  beginDirectory(): void {
    this.raw(TOK.dirHead);
  }
  beginEntry(name: Uint8Array | string): void {
    this.raw(TOK.entryHead);
    this.str(name);
    this.raw(TOK.node);
  }
  endEntry(): void {
    this.raw(TOK.close);
  }
  endDirectory(): void {
    this.raw(TOK.close);
  }
  flush(): void {
    if (this.pos > 0) {
      this.buf = this.target.swap(this.buf, this.pos);
      this.pos = 0;
    }
  }
}

const ZEROS = new Uint8Array(8);
function toks(...xs: string[]): Buffer {
  return Buffer.concat(
    xs.map((x) => {
      const b = Buffer.from(x);
      const out = Buffer.alloc(8 + b.length + ((8 - (b.length % 8)) % 8));
      out.writeUInt32LE(b.length, 0);
      b.copy(out, 8);
      return out;
    }),
  );
}
const TOK = {
  magic: toks('nix-archive-1'),
  close: toks(')'),
  regHead: toks('(', 'type', 'regular', 'contents'),
  execHead: toks('(', 'type', 'regular', 'executable', '', 'contents'),
  symHead: toks('(', 'type', 'symlink', 'target'),
  dirHead: toks('(', 'type', 'directory'),
  entryHead: toks('entry', '(', 'name'),
  node: toks('node'),
};

/** A target that passes each filled buffer to a sink and reuses it. */
export function sinkTarget(sink: Sink): NarTarget {
  return {
    swap(full, len) {
      sink(full.subarray(0, len));
      return full;
    },
  };
}

export interface DumpOptions {
  readonly signal?: AbortSignal;
  /** Skip entries for which this returns true (path relative to the root, `/`-separated bytes as latin1). */
  readonly exclude?: (relPath: string) => boolean;
  /**
   * hashPath only: hash on a worker thread while this thread reads (default: when the files hold
   * 16 MiB or more and there is more than one core).
   */
  readonly thread?: boolean;
}

/**
 * Serialises a file system path to NAR, calling `sink` with the bytes in order. Directory names
 * are read as bytes and sorted bytewise, so non-UTF-8 and unicode names hash as Nix hashes them.
 */
export async function dumpPath(root: string, sink: Sink, opts: DumpOptions = {}): Promise<number> {
  const w = new NarWriter(sinkTarget(sink));
  await dumpInto(w, root, opts);
  w.flush();
  return w.size;
}

/** Serialises `root` into a writer (not flushed). */
async function dumpInto(w: NarWriter, root: string, opts: DumpOptions): Promise<void> {
  w.magic();
  let lastYield = Date.now();
  const maybeYield = async (): Promise<void> => {
    if (Date.now() - lastYield > 50) {
      await new Promise((r) => setImmediate(r));
      lastYield = Date.now();
    }
    if (opts.signal?.aborted) throw new Error('cancelled');
  };
  async function node(p: Buffer, rel: string, depth: number): Promise<void> {
    await maybeYield();
    const st = fs.lstatSync(p);
    if (st.isSymbolicLink()) {
      w.symlink(fs.readlinkSync(p, { encoding: 'buffer' }));
    } else if (st.isFile()) {
      const size = st.size;
      // O_NONBLOCK and a check of the descriptor: a FIFO swapped in since the lstat cannot block
      const fd = openRegularSync(p).fd;
      try {
        w.beginRegular((st.mode & 0o100) !== 0, size);
        let done = 0;
        while (done < size) {
          const n = w.read(fd, size - done, done);
          if (n === 0) throw new NarInputError(`${p.toString()} shrank while it was being read`);
          done += n;
          if (done < size) await maybeYield();
        }
      } finally {
        fs.closeSync(fd);
      }
      w.endRegular(size);
    } else if (st.isDirectory()) {
      if (depth > 4096) throw new NarInputError(`${p.toString()}: directories nested too deeply`);
      w.beginDirectory();
      const names = (fs.readdirSync(p, { encoding: 'buffer' }) as Buffer[]).sort(Buffer.compare);
      for (const name of names) {
        const childRel = rel ? `${rel}/${name.toString('latin1')}` : name.toString('latin1');
        if (opts.exclude?.(childRel)) continue;
        w.beginEntry(name);
        await node(Buffer.concat([p, SLASH, name]), childRel, depth + 1);
        w.endEntry();
      }
      w.endDirectory();
    } else {
      throw new NarInputError(
        `${p.toString()} is a ${fileKind(st)}: a NAR holds only regular files, directories and symbolic links`,
      );
    }
  }
  await node(Buffer.from(root), '', 0);
}
const SLASH = Buffer.from('/');

/** A path that cannot be serialised (a FIFO, socket or device; a file changing meanwhile): a user error, not a bug. */
class NarInputError extends Error {
  readonly code = 'ENARINPUT';
  constructor(message: string) {
    super(message);
    this.name = 'NarInputError';
  }
}

export interface NarHash {
  readonly hash: Uint8Array;
  readonly narSize: number;
}

/** Below this many bytes of file contents, starting the hashing thread (~20 ms) does not pay. */
const THREAD_FROM = 16 * 1024 * 1024;

/**
 * Whether the files under `p` hold at least `bytes` bytes (a bounded look: lstat and readdir of
 * at most 4096 entries; a tree with more is taken as large).
 */
function atLeast(p: string, bytes: number): boolean {
  let budget = 4096;
  let total = 0;
  const visit = (q: Buffer): boolean => {
    if (--budget < 0) return true;
    const st = fs.lstatSync(q);
    if (st.isFile()) return (total += st.size) >= bytes;
    if (!st.isDirectory()) return false;
    for (const name of fs.readdirSync(q, { encoding: 'buffer' }) as Buffer[])
      if (visit(Buffer.concat([q, SLASH, name]))) return true;
    return false;
  };
  try {
    return visit(Buffer.from(p));
  } catch {
    return false; // the walk itself reports the error
  }
}

/** SHA-256 of a path's NAR, equal to `nix hash path PATH`. */
export async function hashPath(p: string, opts: DumpOptions = {}): Promise<NarHash> {
  const abs = path.resolve(p);
  let thread = opts.thread;
  if (thread === undefined) thread = availableParallelism() > 1 && atLeast(abs, THREAD_FROM);
  if (thread) {
    const ring = new HashRing();
    try {
      const w = new NarWriter(ring, ring.first());
      await dumpInto(w, abs, opts);
      w.flush();
      return { hash: await ring.finish(), narSize: w.size };
    } finally {
      ring.close();
    }
  }
  const h = createHash('sha256');
  const narSize = await dumpPath(abs, (c) => h.update(c), opts);
  return { hash: new Uint8Array(h.digest()), narSize };
}

// ---------------------------------------------------------------------------------------------
// Parsing

export type NarEntry =
  | {
      readonly path: string;
      readonly type: 'regular';
      readonly executable: boolean;
      readonly offset: number;
      readonly size: number;
    }
  | { readonly path: string; readonly type: 'symlink'; readonly target: string }
  | { readonly path: string; readonly type: 'directory' };

export class NarFormatError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(`invalid NAR at byte ${offset}: ${message}`);
    this.name = 'NarFormatError';
  }
}

/**
 * Parses a whole NAR held in memory into entries in NAR order (paths are `/`-separated, the root
 * is ''). Contents are given as offsets into `nar`. Rejects malformed input with NarFormatError.
 */
export function parseNar(nar: Uint8Array): NarEntry[] {
  const buf = Buffer.from(nar.buffer, nar.byteOffset, nar.byteLength);
  let pos = 0;
  const out: NarEntry[] = [];
  const readLen = (): number => {
    if (pos + 8 > buf.length) throw new NarFormatError('unexpected end of data', pos);
    const lo = buf.readUInt32LE(pos);
    const hi = buf.readUInt32LE(pos + 4);
    if (hi > 0x1fffff) throw new NarFormatError('length too large', pos);
    pos += 8;
    return hi * 0x100000000 + lo;
  };
  const readBytes = (): { start: number; len: number } => {
    const len = readLen();
    const start = pos;
    const padded = len + ((8 - (len % 8)) % 8);
    if (pos + padded > buf.length) throw new NarFormatError('string runs past the end', start);
    for (let i = start + len; i < start + padded; i++)
      if (buf[i] !== 0) throw new NarFormatError('non-zero padding', i);
    pos += padded;
    return { start, len };
  };
  const readStr = (max = 4096): string => {
    const at = pos;
    const { start, len } = readBytes();
    if (len > max) throw new NarFormatError('token too long', at);
    return buf.toString('utf8', start, start + len);
  };
  const expect = (tok: string): void => {
    const at = pos;
    const s = readStr(64);
    if (s !== tok) throw new NarFormatError(`expected '${tok}', found '${s.slice(0, 40)}'`, at);
  };
  const node = (p: string, depth: number): void => {
    if (depth > 1000) throw new NarFormatError('directories nested too deeply', pos);
    expect('(');
    expect('type');
    const at = pos;
    const type = readStr(64);
    if (type === 'regular') {
      let executable = false;
      let tok = readStr(64);
      if (tok === 'executable') {
        executable = true;
        expect('');
        tok = readStr(64);
      }
      if (tok !== 'contents') throw new NarFormatError(`expected 'contents', found '${tok}'`, pos);
      const { start, len } = readBytes();
      out.push({ path: p, type: 'regular', executable, offset: start, size: len });
      expect(')');
    } else if (type === 'symlink') {
      expect('target');
      out.push({ path: p, type: 'symlink', target: readStr(65536) });
      expect(')');
    } else if (type === 'directory') {
      out.push({ path: p, type: 'directory' });
      let prev: Buffer | undefined;
      for (;;) {
        const tokAt = pos;
        const tok = readStr(64);
        if (tok === ')') break;
        if (tok !== 'entry') throw new NarFormatError(`expected 'entry' or ')', found '${tok}'`, tokAt);
        expect('(');
        expect('name');
        const nameAt = pos;
        const { start, len } = readBytes();
        const nameBuf = buf.subarray(start, start + len);
        const name = nameBuf.toString('utf8');
        if (len === 0 || name === '.' || name === '..' || nameBuf.includes(0x2f) || nameBuf.includes(0)) {
          throw new NarFormatError(`invalid entry name '${name}'`, nameAt);
        }
        if (prev && Buffer.compare(prev, nameBuf) >= 0)
          throw new NarFormatError(`entries not sorted at '${name}'`, nameAt);
        prev = nameBuf;
        expect('node');
        node(p ? `${p}/${name}` : name, depth + 1);
        expect(')');
      }
    } else {
      throw new NarFormatError(`unknown node type '${type}'`, at);
    }
  };
  expect('nix-archive-1');
  node('', 0);
  if (pos !== buf.length) throw new NarFormatError('trailing data after the archive', pos);
  return out;
}
