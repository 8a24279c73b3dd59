// NAR ("nix-archive-1") serialisation, as in NixOS/nix `src/libutil/archive.cc`, streamed into a
// sink in ~256 KiB batches; and a NAR parser. Pure code: reads files, spawns nothing.
//
//   nar      = str("nix-archive-1") node
//   node     = str("(") str("type") ( regular | directory | symlink ) str(")")
//   regular  = str("regular") [str("executable") str("")] str("contents") str(bytes)
//   symlink  = str("symlink") str("target") str(target)
//   directory= str("directory") { str("entry") str("(") str("name") str(name) str("node") node str(")") }
//   str(x)   = u64-LE length, bytes, zero padding to a multiple of 8
// Directory entries are sorted by the bytes of their names; only the owner-exec bit survives.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createHash } from 'node:crypto';

/** Receives NAR bytes in order. The chunk is only valid during the call: copy it to keep it. */
export type Sink = (chunk: Uint8Array) => void;

const BATCH = 256 * 1024;
const ZEROS = new Uint8Array(8);

/** Writes NAR tokens into a sink, batching small writes. */
export class NarWriter {
  private buf = Buffer.allocUnsafe(BATCH);
  private pos = 0;
  /** Bytes written so far (the NAR size once finished). */
  size = 0;
  constructor(private readonly sink: Sink) {}

  private raw(bytes: Uint8Array): void {
    if (bytes.length > BATCH / 2) {
      this.flush();
      this.sink(bytes);
    } else {
      if (this.pos + bytes.length > BATCH) this.flush();
      this.buf.set(bytes, this.pos);
      this.pos += bytes.length;
    }
    this.size += bytes.length;
  }

  private u64(n: number): void {
    if (this.pos + 8 > BATCH) this.flush();
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
    this.str('nix-archive-1');
  }
  /** `( type regular [executable ""] contents <size>` — follow with `data()` chunks then `endRegular(size)`. */
  beginRegular(executable: boolean, size: number): void {
    this.str('(');
    this.str('type');
    this.str('regular');
    if (executable) {
      this.str('executable');
      this.str('');
    }
    this.str('contents');
    this.u64(size);
  }
  data(chunk: Uint8Array): void {
    this.raw(chunk);
  }
  endRegular(size: number): void {
    this.pad(size);
    this.str(')');
  }
  regular(executable: boolean, contents: Uint8Array): void {
    this.beginRegular(executable, contents.length);
    this.raw(contents);
    this.endRegular(contents.length);
  }
  symlink(target: string | Uint8Array): void {
    this.str('(');
    this.str('type');
    this.str('symlink');
    this.str('target');
    this.str(target);
    this.str(')');
  }
  beginDirectory(): void {
    this.str('(');
    this.str('type');
    this.str('directory');
  }
  beginEntry(name: Uint8Array | string): void {
    this.str('entry');
    this.str('(');
    this.str('name');
    this.str(name);
    this.str('node');
  }
  endEntry(): void {
    this.str(')');
  }
  endDirectory(): void {
    this.str(')');
  }
  flush(): void {
    if (this.pos > 0) {
      this.sink(this.buf.subarray(0, this.pos));
      this.pos = 0;
    }
  }
}

export interface DumpOptions {
  readonly signal?: AbortSignal;
  /** Skip entries for which this returns true (path relative to the root, `/`-separated bytes as latin1). */
  readonly exclude?: (relPath: string) => boolean;
}

const READ_CHUNK = 1024 * 1024;
const BIG_FILE = 4 * 1024 * 1024;
const BIG_CHUNK = 2 * 1024 * 1024;

/**
 * Serialises a file system path to NAR, calling `sink` with the bytes in order. Directory names
 * are read as bytes and sorted bytewise, so non-UTF-8 and unicode names hash as Nix hashes them.
 */
export async function dumpPath(root: string, sink: Sink, opts: DumpOptions = {}): Promise<number> {
  const w = new NarWriter(sink);
  w.magic();
  const readBuf = Buffer.allocUnsafe(READ_CHUNK);
  let lastYield = Date.now();
  const maybeYield = async (): Promise<void> => {
    if (Date.now() - lastYield > 50) {
      await new Promise((r) => setImmediate(r));
      lastYield = Date.now();
    }
    if (opts.signal?.aborted) throw new Error('cancelled');
  };
  const rootBuf = Buffer.from(root);
  async function node(p: Buffer, rel: string): Promise<void> {
    await maybeYield();
    const st = fs.lstatSync(p);
    if (st.isSymbolicLink()) {
      w.symlink(fs.readlinkSync(p, { encoding: 'buffer' }));
    } else if (st.isFile()) {
      const size = st.size;
      w.beginRegular((st.mode & 0o100) !== 0, size);
      if (size > BIG_FILE) {
        // Large files: read the next chunk on the thread pool while this one is hashed.
        const fh = await fs.promises.open(p, 'r');
        try {
          const bufs = [Buffer.allocUnsafe(BIG_CHUNK), Buffer.allocUnsafe(BIG_CHUNK)];
          let done = 0;
          let k = 0;
          let pending = fh.read(bufs[0]!, 0, Math.min(BIG_CHUNK, size), 0);
          while (done < size) {
            const { bytesRead } = await pending;
            if (bytesRead === 0) throw new Error(`${p.toString()} shrank while it was being read`);
            const cur = bufs[k & 1]!;
            const next = done + bytesRead;
            if (next < size) pending = fh.read(bufs[(k + 1) & 1]!, 0, Math.min(BIG_CHUNK, size - next), next);
            w.data(cur.subarray(0, bytesRead));
            done = next;
            k++;
            if (opts.signal?.aborted) {
              if (next < size) await pending.catch(() => undefined);
              throw new Error('cancelled');
            }
          }
        } finally {
          await fh.close();
        }
        w.endRegular(size);
        return;
      }
      const fd = fs.openSync(p, 'r');
      try {
        let done = 0;
        while (done < size) {
          const n = fs.readSync(fd, readBuf, 0, Math.min(READ_CHUNK, size - done), done);
          if (n === 0) throw new Error(`${p.toString()} shrank while it was being read`);
          w.data(readBuf.subarray(0, n));
          done += n;
          if (done < size) await maybeYield();
        }
      } finally {
        fs.closeSync(fd);
      }
      w.endRegular(size);
    } else if (st.isDirectory()) {
      w.beginDirectory();
      const names = (fs.readdirSync(p, { encoding: 'buffer' }) as Buffer[]).sort(Buffer.compare);
      for (const name of names) {
        const childRel = rel ? `${rel}/${name.toString('latin1')}` : name.toString('latin1');
        if (opts.exclude?.(childRel)) continue;
        w.beginEntry(name);
        await node(Buffer.concat([p, SLASH, name]), childRel);
        w.endEntry();
      }
      w.endDirectory();
    } else {
      throw new Error(`${p.toString()}: cannot serialise a ${fileKind(st)} in a NAR`);
    }
  }
  await node(rootBuf, '');
  w.flush();
  return w.size;
}
const SLASH = Buffer.from('/');

function fileKind(st: fs.Stats): string {
  if (st.isSocket()) return 'socket';
  if (st.isFIFO()) return 'FIFO';
  if (st.isBlockDevice() || st.isCharacterDevice()) return 'device node';
  return 'special file';
}

export interface NarHash {
  readonly hash: Uint8Array;
  readonly narSize: number;
}

/** SHA-256 of a path's NAR, equal to `nix hash path PATH`. */
export async function hashPath(p: string, opts: DumpOptions = {}): Promise<NarHash> {
  const h = createHash('sha256');
  const narSize = await dumpPath(path.resolve(p), (c) => h.update(c), opts);
  return { hash: new Uint8Array(h.digest()), narSize };
}

// ---------------------------------------------------------------------------------------------
// Parsing

export type NarEntry =
  | { readonly path: string; readonly type: 'regular'; readonly executable: boolean; readonly offset: number; readonly size: number }
  | { readonly path: string; readonly type: 'symlink'; readonly target: string }
  | { readonly path: string; readonly type: 'directory' };

export class NarFormatError extends Error {
  constructor(message: string, readonly offset: number) {
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
    for (let i = start + len; i < start + padded; i++) if (buf[i] !== 0) throw new NarFormatError('non-zero padding', i);
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
        if (prev && Buffer.compare(prev, nameBuf) >= 0) throw new NarFormatError(`entries not sorted at '${name}'`, nameAt);
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
