// Walks the segments of an initramfs image the way the kernel does (init/initramfs.c): NUL
// padding is skipped, a plain cpio starts at a 4-aligned offset, anything else is decompressed by
// its magic and parsing continues after the bytes the decoder consumed. Every decoded byte goes
// through one CpioReader per segment.
import * as fs from 'node:fs';
import * as zlib from 'node:zlib';
import { ZSTDDecoder } from 'zstddec/stream';
import { Decompress as FzstdDecompress } from 'fzstd';
import * as xzModule from 'xz-decompress';
import type { XzReadableStream as XzStreamType } from 'xz-decompress';
import * as lz4 from 'lz4js';
import type { EventEmitter } from 'node:events';
import { onPath, spawnToFd, type FdProcess, type FdProcessExit } from '../system/exec';
import { CpioReader, InitrdError, type CpioSink } from './cpio';
import { describeData } from '../text';

export type Compression = 'none' | 'gzip' | 'zstd' | 'xz' | 'lzma' | 'bzip2' | 'lz4-legacy' | 'lz4';

export interface Segment {
  /** Offset of the segment in the file. */
  offset: number;
  compression: Compression;
  /** Bytes the segment occupies in the file (compressed size). */
  compressedSize: number;
  /** Decompressed size. */
  size: number;
  /** cpio archives in the segment. */
  archives: number;
  entries: number;
}

export interface Limits {
  /** Largest total decompressed size (default 4 GiB, the default cache size). */
  maxTotal: number;
  /**
   * Largest decompressed/compressed ratio (default 100, plus 64 MiB slack), checked for each
   * segment and for the whole image while the data streams: real initrds expand 3–5× (Debian's
   * zstd initrd 3.7×), a decompression bomb 1000× and more.
   */
  maxRatio: number;
  /** Most entries (default 2,000,000). */
  maxEntries: number;
}

const DEFAULT_LIMITS: Limits = { maxTotal: 4 * 2 ** 30, maxRatio: 100, maxEntries: 2_000_000 };

/** Decompressed bytes always allowed whatever the ratio (small images of zeros are fine). */
const SLACK = 64 * 2 ** 20;

export interface WalkOptions {
  signal?: AbortSignal;
  /**
   * Use native decoders (`zstd`, `xz`) when on PATH and the sink takes a direct stream (default
   * true): the decoder writes the decompressed segment straight into the cache file while the
   * index is built from its cpio headers.
   */
  native?: boolean;
  /** Smallest compressed segment handed to a native decoder (default 1 MiB). */
  nativeMinSize?: number;
  limits?: Partial<Limits>;
  onProgress?: (p: { offset: number; total: number; entries: number }) => void;
}

const CHUNK = 1 << 20;

export function magicOf(b: Uint8Array): Compression | 'cpio' | undefined {
  if (b.length >= 6 && b[0] === 0x30 && b[1] === 0x37 && b[2] === 0x30 && b[3] === 0x37 && b[4] === 0x30)
    return 'cpio';
  if (b[0] === 0x1f && (b[1] === 0x8b || b[1] === 0x9e)) return 'gzip';
  if (b[0] === 0x28 && b[1] === 0xb5 && b[2] === 0x2f && b[3] === 0xfd) return 'zstd';
  if (b[0] === 0xfd && b[1] === 0x37 && b[2] === 0x7a && b[3] === 0x58 && b[4] === 0x5a && b[5] === 0x00)
    return 'xz';
  if (b[0] === 0x5d && b[1] === 0x00 && b[2] === 0x00) return 'lzma';
  if (b[0] === 0x42 && b[1] === 0x5a && b[2] === 0x68) return 'bzip2';
  if (b[0] === 0x02 && b[1] === 0x21 && b[2] === 0x4c && b[3] === 0x18) return 'lz4-legacy';
  if (b[0] === 0x04 && b[1] === 0x22 && b[2] === 0x4d && b[3] === 0x18) return 'lz4';
  return undefined;
}

class FileReader {
  constructor(
    readonly fd: number,
    readonly end: number,
  ) {}
  read(pos: number, n: number): Buffer {
    const len = Math.max(0, Math.min(n, this.end - pos));
    const b = Buffer.allocUnsafe(len);
    let got = 0;
    while (got < len) {
      const r = fs.readSync(this.fd, b, got, len - got, pos + got);
      if (r === 0) break;
      got += r;
    }
    return got === len ? b : b.subarray(0, got);
  }
  *chunks(from: number, to: number): Generator<Buffer> {
    for (let p = from; p < to; p += CHUNK) yield this.read(p, Math.min(CHUNK, to - p));
  }
}

const tick = () => new Promise<void>((r) => setImmediate(r));

function checkAbort(signal?: AbortSignal): void {
  if (signal?.aborted) throw new InitrdError('cancelled');
}

/**
 * Decodes every segment of the byte range [start, end) of an open file. Entries and file data go
 * to `sink`. Returns the segments.
 */
export async function walkSegments(
  fd: number,
  start: number,
  end: number,
  sink: CpioSink,
  opts: WalkOptions = {},
): Promise<Segment[]> {
  const limits = { ...DEFAULT_LIMITS, ...opts.limits };
  const file = new FileReader(fd, end);
  const segments: Segment[] = [];
  let pos = start;
  let total = 0;
  let entries = 0;
  while (pos < end) {
    checkAbort(opts.signal);
    // skip NUL padding
    const probe = file.read(pos, 64 * 1024);
    let k = 0;
    while (k < probe.length && probe[k] === 0) k++;
    if (k === probe.length) {
      pos += probe.length;
      continue;
    }
    pos += k;
    const head = file.read(pos, 8);
    const kind = magicOf(head);
    // The message says what kind of data it is, never the bytes (the file may be /etc/shadow).
    if (!kind)
      throw new InitrdError(
        `unrecognised data at offset ${pos}: ${describeData(probe.subarray(k, k + 512))}, not an initrd (neither cpio nor a known compression)`,
      );
    const index = segments.length;
    let produced = 0;
    const bound = (compressed: number) => limits.maxRatio * compressed + SLACK;
    let rangeForRatio = end - pos;
    const reader = new CpioReader(sink, index, limits.maxEntries - entries);
    /** The caps, checked as the decompressed size `n` of this segment grows. */
    const caps = (n: number, at: number) => {
      if (total + n > limits.maxTotal)
        throw new InitrdError(
          `decompressed size exceeds the limit of ${limits.maxTotal} bytes (decompression bomb?)`,
        );
      if (n > bound(rangeForRatio))
        throw new InitrdError(
          `segment at offset ${at} expands more than ${limits.maxRatio}× (decompression bomb?)`,
        );
      // many small segments, each within its own slack, must not add up to a bomb
      if (total + n > bound(end - start))
        throw new InitrdError(`the image expands more than ${limits.maxRatio}× (decompression bomb?)`);
    };
    const feed = (bytes: Uint8Array) => {
      produced += bytes.length;
      caps(produced, pos);
      reader.push(bytes);
    };
    const progress = () =>
      opts.onProgress?.({ offset: pos, total: end - start, entries: entries + reader.entries });
    /** The segment is read: one entry for it, and on to the next. */
    const record = (r: CpioReader, compression: Compression, consumed: number, size: number): void => {
      if (r.archives === 0)
        throw new InitrdError(`segment at offset ${pos} (${compression}) holds no complete cpio archive`);
      segments.push({
        offset: pos,
        compression,
        compressedSize: consumed,
        size,
        archives: r.archives,
        entries: r.entries,
      });
      total += size;
      entries += r.entries;
      pos += consumed;
      progress();
    };
    let consumed: number;
    let compression: Compression;
    if (kind === 'cpio') {
      if ((pos - start) % 4 !== 0) throw new InitrdError(`plain cpio at unaligned offset ${pos - start}`);
      compression = 'none';
      reader.stopAtNextArchive = true;
      let p = pos;
      while (p < end && !reader.stopped) {
        checkAbort(opts.signal);
        const chunk = file.read(p, CHUNK);
        feed(chunk);
        p += chunk.length;
        progress();
        await tick();
      }
      reader.end();
      consumed = reader.consumed;
      produced = consumed;
    } else {
      compression = kind;
      const tool = opts.native === false || !sink.direct ? undefined : nativeTool(kind);
      const stop = tool ? (kind === 'zstd' ? zstdEnd(file, pos, end) : xzEnd(file, pos, end)) : 0;
      if (tool && stop - pos >= (opts.nativeMinSize ?? NATIVE_MIN)) {
        rangeForRatio = stop - pos;
        const at = pos;
        const check = (n: number) => caps(n, at);
        const direct = sink.direct!;
        const { file: cacheFile, offset: base } = await direct.prepare();
        const directReader = new CpioReader(sink, index, limits.maxEntries - entries, base);
        const got = await nativeToCache(
          tool,
          kind,
          file,
          pos,
          stop,
          cacheFile,
          base,
          directReader,
          check,
          opts.signal,
          () =>
            opts.onProgress?.({ offset: at, total: end - start, entries: entries + directReader.entries }),
        );
        if (got !== undefined) {
          produced = got;
          directReader.end();
          direct.appended(produced);
          record(directReader, compression, stop - pos, produced);
          continue;
        }
        // the decoder wrote nothing (it could not start, or refused the data): the JavaScript decoder decides
      }
      consumed = await decode(kind, file, pos, end, feed, (n) => (rangeForRatio = n), opts.signal, progress);
      reader.end();
    }
    record(reader, compression, consumed, produced);
  }
  return segments;
}

/** Runs the decoder for one compressed segment; returns the compressed bytes it consumed. */
async function decode(
  kind: Compression,
  file: FileReader,
  pos: number,
  end: number,
  feed: (b: Uint8Array) => void,
  setRange: (n: number) => void,
  signal: AbortSignal | undefined,
  progress: () => void,
): Promise<number> {
  switch (kind) {
    case 'gzip':
      return gunzip(file, pos, end, feed, signal, progress);
    case 'zstd': {
      const stop = zstdEnd(file, pos, end);
      setRange(stop - pos);
      await unzstd(file, pos, stop, feed, signal, progress);
      return stop - pos;
    }
    case 'xz': {
      const stop = xzEnd(file, pos, end);
      setRange(stop - pos);
      await unxz(file, pos, stop, feed, signal, progress);
      return stop - pos;
    }
    case 'lz4-legacy':
      await unlz4Legacy(file, pos, end, feed, signal, progress);
      return end - pos;
    case 'lz4':
      return unlz4Frame(file, pos, end, feed, signal, progress);
    case 'bzip2':
    case 'lzma': {
      // Rare in initrds: the segment runs to the end of the file (documented limitation).
      await streamThrough(kind, file, pos, end, feed, signal, progress);
      return end - pos;
    }
    default:
      throw new InitrdError(`unsupported compression ${kind}`);
  }
}

/**
 * Decodes gzip members from `pos` as one stream (the kernel's cpio state runs on across them),
 * each checked against its CRC-32 and length, and stops at the end of the last member: what
 * follows need not be padding (a cpio segment may start right after it, as the kernel allows at a
 * 4-byte boundary). Returns the compressed bytes consumed.
 */
async function gunzip(
  file: FileReader,
  pos: number,
  end: number,
  feed: (b: Uint8Array) => void,
  signal: AbortSignal | undefined,
  progress: () => void,
): Promise<number> {
  let p = pos;
  for (;;) {
    const body = p + gzipHeaderLength(file, p, end, pos);
    const m = await inflateMember(file, body, end, feed, signal, progress, pos);
    const t = body + m.consumed;
    const trailer = file.read(t, 8);
    if (trailer.length < 8) throw new InitrdError(`gzip data at offset ${pos} is truncated`);
    if (trailer.readUInt32LE(0) !== m.crc || trailer.readUInt32LE(4) !== m.size % 2 ** 32)
      throw new InitrdError(`gzip data at offset ${pos} is corrupt: its CRC-32 or length check failed`);
    p = t + 8;
    const next = file.read(p, 2);
    if (next.length === 2 && next[0] === 0x1f && (next[1] === 0x8b || next[1] === 0x9e)) continue;
    return p - pos;
  }
}

/** The length of the gzip member header at `p` (RFC 1952: fixed part, FEXTRA, FNAME, FCOMMENT, FHCRC). */
function gzipHeaderLength(file: FileReader, p: number, end: number, segment: number): number {
  const truncated = () => new InitrdError(`gzip data at offset ${segment} is truncated`);
  const fixed = file.read(p, 10);
  if (fixed.length < 10) throw truncated();
  if (fixed[0] !== 0x1f || (fixed[1] !== 0x8b && fixed[1] !== 0x9e) || fixed[2] !== 8)
    throw new InitrdError(`gzip data at offset ${segment} is corrupt: bad member header at offset ${p}`);
  const flags = fixed[3]!;
  let q = p + 10;
  if (flags & 4) {
    const x = file.read(q, 2);
    if (x.length < 2) throw truncated();
    q += 2 + x.readUInt16LE(0);
  }
  // FNAME and FCOMMENT end with a zero byte; each is read at most 64 KiB far.
  for (const bit of [8, 16]) {
    if (!(flags & bit)) continue;
    const text = file.read(q, 64 * 1024);
    const zero = text.indexOf(0);
    if (zero < 0) {
      if (q + text.length >= end) throw truncated();
      throw new InitrdError(`gzip data at offset ${segment} is corrupt: a header name longer than 64 KiB`);
    }
    q += zero + 1;
  }
  if (flags & 2) q += 2;
  if (q > end) throw truncated();
  return q - p;
}

/** Inflates one member's deflate data from `p`; its CRC-32 and size, and the bytes it took. */
async function inflateMember(
  file: FileReader,
  p: number,
  end: number,
  feed: (b: Uint8Array) => void,
  signal: AbortSignal | undefined,
  progress: () => void,
  segment: number,
): Promise<{ consumed: number; crc: number; size: number }> {
  const z = zlib.createInflateRaw();
  let error: Error | undefined;
  let done = false;
  let crc = 0;
  let size = 0;
  z.on('data', (d: Buffer) => {
    if (error) return;
    try {
      crc = zlib.crc32(d, crc);
      size += d.length;
      feed(d);
    } catch (e) {
      error = e as Error;
      z.destroy();
    }
  });
  const finished = new Promise<void>((resolve) => {
    z.on('end', () => {
      done = true;
      resolve();
    });
    z.on('error', (e) => {
      error ??= new InitrdError(`gzip data at offset ${segment} is corrupt: ${e.message}`);
      resolve();
    });
    z.on('close', () => resolve());
  });
  // The deflate stream ends by itself: raw inflate stops there and ignores what follows.
  for (let q = p; q < end && !done && !error; q += CHUNK) {
    checkAbort(signal);
    const chunk = file.read(q, Math.min(CHUNK, end - q));
    const ok = z.write(chunk);
    if (!ok) await settled(z, ['drain', 'close', 'end']);
    progress();
  }
  if (!done && !error) z.end();
  await finished;
  if (error) throw error;
  if (!done) throw new InitrdError(`gzip data at offset ${segment} is truncated`);
  return { consumed: z.bytesWritten, crc, size };
}

/** Finds where the zstd frames starting at `pos` end by walking frame and block headers. */
function zstdEnd(file: FileReader, pos: number, end: number): number {
  let p = pos;
  let frames = 0;
  for (;;) {
    if (p + 4 > end) break;
    const m = file.read(p, 4).readUInt32LE(0);
    if (m === 0xfd2fb528) {
      const fhd = file.read(p + 4, 1)[0];
      if (fhd === undefined) throw new InitrdError(`zstd frame at offset ${p} is truncated`);
      const fcsFlag = fhd >> 6;
      const single = (fhd >> 5) & 1;
      const checksum = (fhd >> 2) & 1;
      const dictSize = [0, 1, 2, 4][fhd & 3]!;
      const fcsSize = [single ? 1 : 0, 2, 4, 8][fcsFlag]!;
      let q = p + 5 + (single ? 0 : 1) + dictSize + fcsSize;
      for (;;) {
        const bh = file.read(q, 3);
        if (bh.length < 3) throw new InitrdError(`zstd frame at offset ${p} is truncated`);
        const v = bh[0]! | (bh[1]! << 8) | (bh[2]! << 16);
        const last = v & 1;
        const type = (v >> 1) & 3;
        const size = v >>> 3;
        if (type === 3) throw new InitrdError(`corrupt zstd block at offset ${q}`);
        q += 3 + (type === 1 ? 1 : size);
        if (q > end) throw new InitrdError(`zstd frame at offset ${p} is truncated`);
        if (last) break;
      }
      if (checksum) q += 4;
      if (q > end) throw new InitrdError(`zstd frame at offset ${p} is truncated`);
      p = q;
      frames++;
    } else if ((m & 0xfffffff0) === 0x184d2a50) {
      const size = file.read(p + 4, 4);
      if (size.length < 4) throw new InitrdError(`zstd skippable frame at offset ${p} is truncated`);
      p += 8 + size.readUInt32LE(0);
      if (p > end) throw new InitrdError(`zstd skippable frame at offset ${p} is truncated`);
    } else break;
  }
  if (frames === 0) throw new InitrdError(`no zstd frame at offset ${pos}`);
  return p;
}

let zstdDecoder: Promise<ZSTDDecoder> | undefined;

async function unzstd(
  file: FileReader,
  pos: number,
  stop: number,
  feed: (b: Uint8Array) => void,
  signal: AbortSignal | undefined,
  progress: () => void,
): Promise<void> {
  let dec: ZSTDDecoder | undefined;
  try {
    zstdDecoder ??= (async () => {
      const d = new ZSTDDecoder();
      await d.init();
      return d;
    })();
    dec = await zstdDecoder;
  } catch {
    dec = undefined;
  }
  if (dec) {
    let n = 0;
    try {
      let empty = 0;
      for (const out of dec.decodeStreaming(file.chunks(pos, stop))) {
        // zstddec yields empty chunks forever on some corrupt input: stop it
        if (out.length === 0) {
          if (++empty > 1000)
            throw new InitrdError(`zstd data at offset ${pos} is corrupt (the decoder makes no progress)`);
          continue;
        }
        empty = 0;
        feed(out);
        if (++n % 8 === 0) {
          checkAbort(signal);
          progress();
          await tick();
        }
      }
    } catch (e) {
      if (e instanceof InitrdError) throw e;
      throw new InitrdError(`zstd data at offset ${pos} is corrupt: ${(e as Error).message}`);
    }
    return;
  }
  // fallback: fzstd's streaming decoder
  let err: Error | undefined;
  const d = new FzstdDecompress((chunk) => {
    if (err) throw err;
    try {
      feed(chunk);
    } catch (e) {
      err = e as Error;
      throw e; // stops the decoder now, not after the rest of the chunk's blocks
    }
  });
  try {
    for (let p = pos; p < stop; p += CHUNK) {
      checkAbort(signal);
      d.push(file.read(p, Math.min(CHUNK, stop - p)), p + CHUNK >= stop);
      if (err) throw err;
      progress();
      await tick();
    }
  } catch (e) {
    if (err) throw err;
    if (e instanceof InitrdError) throw e;
    throw new InitrdError(`zstd data at offset ${pos} is corrupt: ${(e as Error).message}`);
  }
}

/** Finds the end of the xz stream starting at `pos` (after its footer and stream padding). */
function xzEnd(file: FileReader, pos: number, end: number): number {
  const header = file.read(pos, 12);
  if (header.length < 12) throw new InitrdError(`xz header at offset ${pos} is truncated`);
  const flags = header.subarray(6, 8);
  let p = pos + 12;
  while (p < end) {
    const chunk = file.read(p, CHUNK + 12);
    for (let i = 10; i < chunk.length - 1; i++) {
      if (
        chunk[i] === 0x59 &&
        chunk[i + 1] === 0x5a &&
        chunk[i - 2] === flags[0] &&
        chunk[i - 1] === flags[1]
      ) {
        const footer = chunk.subarray(i - 10, i + 2);
        if (zlib.crc32(footer.subarray(4, 10)) === footer.readUInt32LE(0)) {
          let q = p + i + 2;
          // stream padding: NULs in multiples of 4 belong to this stream
          while (q + 4 <= end && file.read(q, 4).readUInt32LE(0) === 0 && (q - pos) % 4 === 0) q += 4;
          return q;
        }
      }
    }
    p += CHUNK;
  }
  throw new InitrdError(`xz stream at offset ${pos} has no footer (truncated)`);
}

async function unxz(
  file: FileReader,
  pos: number,
  stop: number,
  feed: (b: Uint8Array) => void,
  signal: AbortSignal | undefined,
  progress: () => void,
): Promise<void> {
  let p = pos;
  const source = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (p >= stop) {
        controller.close();
        return;
      }
      const c = file.read(p, Math.min(CHUNK, stop - p));
      p += c.length;
      controller.enqueue(new Uint8Array(c));
    },
  });
  const mod = xzModule as unknown as {
    XzReadableStream?: typeof XzStreamType;
    default?: { XzReadableStream: typeof XzStreamType };
  };
  const XzReadableStream = mod.XzReadableStream ?? mod.default!.XzReadableStream;
  const reader = new XzReadableStream(source).getReader();
  try {
    for (;;) {
      checkAbort(signal);
      const r = await reader.read();
      if (r.done) break;
      feed(r.value);
      progress();
    }
  } catch (e) {
    await reader.cancel().catch(() => {});
    if (e instanceof InitrdError) throw e;
    throw new InitrdError(`xz data at offset ${pos} is corrupt: ${(e as Error).message ?? String(e)}`);
  }
}

const LZ4_LEGACY_MAGIC = 0x184c2102;
const LZ4_LEGACY_BLOCK = 8 * 2 ** 20;

async function unlz4Legacy(
  file: FileReader,
  pos: number,
  end: number,
  feed: (b: Uint8Array) => void,
  signal: AbortSignal | undefined,
  progress: () => void,
): Promise<void> {
  let p = pos + 4;
  const dst = new Uint8Array(LZ4_LEGACY_BLOCK);
  while (p + 4 <= end) {
    checkAbort(signal);
    const size = file.read(p, 4).readUInt32LE(0);
    p += 4;
    if (size === LZ4_LEGACY_MAGIC) continue;
    if (size === 0) break; // padding after the last chunk
    if (size > lz4.compressBound(LZ4_LEGACY_BLOCK))
      throw new InitrdError(`lz4 chunk size ${size} at offset ${p - 4} is invalid`);
    if (p + size > end) throw new InitrdError(`lz4 chunk at offset ${p - 4} is truncated`);
    const src = file.read(p, size);
    p += size;
    let n: number;
    try {
      n = lz4.decompressBlock(src, dst, 0, size, 0);
    } catch (e) {
      throw new InitrdError(`lz4 data at offset ${p - size} is corrupt: ${(e as Error).message}`);
    }
    if (!(n >= 0 && n <= LZ4_LEGACY_BLOCK))
      throw new InitrdError(`lz4 data at offset ${p - size} is corrupt`);
    feed(dst.subarray(0, n));
    progress();
    await tick();
  }
}

/** The standard lz4 frame format, block by block; returns the bytes the frame occupies. */
async function unlz4Frame(
  file: FileReader,
  pos: number,
  end: number,
  feed: (b: Uint8Array) => void,
  signal: AbortSignal | undefined,
  progress: () => void,
): Promise<number> {
  const h = file.read(pos, 15);
  if (h.length < 7) throw new InitrdError(`lz4 frame at offset ${pos} is truncated`);
  const flg = h[4]!;
  const bd = h[5]!;
  if (flg >> 6 !== 1) throw new InitrdError(`lz4 frame at offset ${pos} has an unsupported version`);
  const blockChecksum = (flg >> 4) & 1;
  const contentSize = (flg >> 3) & 1;
  const contentChecksum = (flg >> 2) & 1;
  const dictId = flg & 1;
  const maxBlock = [0, 0, 0, 0, 64 << 10, 256 << 10, 1 << 20, 4 << 20][(bd >> 4) & 7]!;
  if (!maxBlock) throw new InitrdError(`lz4 frame at offset ${pos} has an invalid block size`);
  let p = pos + 4 + 2 + (contentSize ? 8 : 0) + (dictId ? 4 : 0) + 1;
  const dst = new Uint8Array(maxBlock);
  for (;;) {
    checkAbort(signal);
    const sb = file.read(p, 4);
    if (sb.length < 4) throw new InitrdError(`lz4 frame at offset ${pos} is truncated`);
    const word = sb.readUInt32LE(0);
    p += 4;
    if (word === 0) break;
    const raw = (word & 0x80000000) !== 0;
    const size = word & 0x7fffffff;
    if (size > maxBlock) throw new InitrdError(`lz4 block size ${size} at offset ${p - 4} is invalid`);
    if (p + size > end) throw new InitrdError(`lz4 frame at offset ${pos} is truncated`);
    const src = file.read(p, size);
    p += size + (blockChecksum ? 4 : 0);
    if (raw) feed(src);
    else {
      let n: number;
      try {
        n = lz4.decompressBlock(src, dst, 0, size, 0);
      } catch (e) {
        throw new InitrdError(`lz4 data at offset ${p - size} is corrupt: ${(e as Error).message}`);
      }
      if (!(n >= 0 && n <= maxBlock)) throw new InitrdError(`lz4 data at offset ${p - size} is corrupt`);
      feed(dst.subarray(0, n));
    }
    progress();
    await tick();
  }
  if (contentChecksum) p += 4;
  if (p > end) throw new InitrdError(`lz4 frame at offset ${pos} is truncated`);
  return p - pos;
}

const NATIVE_MIN = 2 ** 20;

interface NativeTool {
  program: string;
  args: string[];
}

/** The native decoder for a compression, when it is on PATH. */
function nativeTool(kind: Compression): NativeTool | undefined {
  if (kind === 'zstd' && onPath('zstd'))
    return { program: 'zstd', args: ['-dcq', '--no-progress', '--memory=2048MB'] };
  // -Q: a warning (e.g. an unsupported check type) does not make the exit status 2
  if (kind === 'xz' && onPath('xz')) return { program: 'xz', args: ['-d', '-c', '-q', '-Q'] };
  return undefined;
}

/** Bytes read at once from the cache file when the index needs headers and names. */
const WINDOW = 64 * 1024;

/**
 * Runs a native decoder over the byte range [pos, stop) of the image with its stdout appended to
 * the cache file (opened here; `base` is its size), and builds the index meanwhile: `reader`
 * (direct mode) is given only cpio headers, names and small data read back from the growing
 * file, and skips over file data. Waits for the decoder when it reads past what was written.
 * `check` sees the decompressed size as it grows (decompression-bomb caps); the decoder is killed
 * on any error and on cancel. Returns the decompressed size, or undefined when the decoder
 * failed without writing anything (an old or odd `zstd`/`xz`: the caller falls back).
 */
async function nativeToCache(
  tool: NativeTool,
  kind: Compression,
  file: FileReader,
  pos: number,
  stop: number,
  cacheFile: string,
  base: number,
  reader: CpioReader,
  check: (produced: number) => void,
  signal: AbortSignal | undefined,
  progress: () => void,
): Promise<number | undefined> {
  // the cache file exists (DataSink made it 0600); O_NOFOLLOW and the mode keep it private anyway
  const out = fs.openSync(
    cacheFile,
    fs.constants.O_WRONLY | fs.constants.O_APPEND | fs.constants.O_NOFOLLOW,
    0o600,
  );
  let rd: number | undefined;
  let proc: FdProcess | undefined;
  let exit: FdProcessExit | undefined;
  let wake: (() => void) | undefined;
  try {
    rd = fs.openSync(cacheFile, 'r');
    if (fs.fstatSync(out).size !== base)
      throw new InitrdError(`cache file ${cacheFile} changed while it was being written`);
    // the whole image is one segment: the decoder reads the image's own descriptor (at offset 0)
    const whole = pos === 0 && stop === fs.fstatSync(file.fd).size;
    proc = spawnToFd(tool.program, tool.args, { stdin: whole ? file.fd : 'pipe', stdoutFd: out, signal });
    fs.closeSync(out); // the child holds its own copy
    const running = proc;
    void running.exited.then((e) => {
      exit = e;
      wake?.();
    });
    // a read error ends the decoder, whose exit status then reports it
    if (!whole) pump(file, pos, stop, running).catch(() => running.kill());
    const buf = Buffer.allocUnsafe(WINDOW);
    let cur = 0; // stream offset the reader has reached
    let size = 0; // bytes the decoder has written
    let rounds = 0;
    for (;;) {
      checkAbort(signal);
      const k = reader.skippable();
      if (k > 0) {
        reader.skip(k);
        cur += k;
        continue;
      }
      if (cur >= size) {
        const finished = exit !== undefined;
        size = fs.fstatSync(rd).size - base;
        check(size);
        if (cur >= size) {
          if (finished) break;
          checkAbort(signal);
          progress();
          await new Promise<void>((r) => {
            const t = setTimeout(() => {
              wake = undefined;
              r();
            }, 2);
            wake = () => {
              clearTimeout(t);
              wake = undefined;
              r();
            };
          });
          continue;
        }
      }
      const n = fs.readSync(rd, buf, 0, Math.min(WINDOW, size - cur), base + cur);
      if (n <= 0) throw new InitrdError(`cache file ${cacheFile} shrank while it was being written`);
      reader.push(buf.subarray(0, n));
      cur += n;
      if (++rounds % 16 === 0) {
        // the reader lags behind the decoder (many small entries): the caps still hold, and the
        // event loop (stdin pump, cancel) still runs
        check(fs.fstatSync(rd).size - base);
        progress();
        await tick();
      }
    }
    const e = exit!;
    if (e.error && (signal?.aborted || /cancelled/.test(e.error.message))) throw new InitrdError('cancelled');
    if ((e.error || e.code !== 0) && size === 0) return undefined;
    if (e.error) {
      throw new InitrdError(`${kind} data at offset ${pos} could not be decoded: ${e.error.message}`);
    }
    if (e.code !== 0) {
      const why = e.stderr
        .trim()
        .split('\n')
        .pop()
        ?.replace(/^[^:]*: /, '');
      throw new InitrdError(
        `${kind} data at offset ${pos} could not be decoded, corrupt or truncated (${tool.program} exited with ${e.code === null ? `signal ${e.signal}` : `status ${e.code}`}${why ? `: ${why}` : ''})`,
      );
    }
    return size;
  } finally {
    if (proc?.running) {
      proc.kill();
      await proc.exited;
    }
    try {
      fs.closeSync(out);
    } catch {
      /* closed after the spawn */
    }
    if (rd !== undefined) fs.closeSync(rd);
  }
}

/** Writes the byte range [pos, stop) of the image to the decoder's stdin. */
async function pump(file: FileReader, pos: number, stop: number, proc: FdProcess): Promise<void> {
  const stdin = proc.stdin!;
  const gone = proc.exited.then(() => undefined);
  for (let p = pos; p < stop && proc.running; p += CHUNK) {
    const chunk = file.read(p, Math.min(CHUNK, stop - p));
    if (!stdin.write(chunk)) await Promise.race([new Promise<void>((r) => stdin.once('drain', r)), gone]);
  }
  stdin.end();
}

/** Resolves on the first of `events`, and removes every listener it added (no listener leak). */
function settled(emitter: EventEmitter, events: string[]): Promise<void> {
  return new Promise<void>((resolve) => {
    const done = () => {
      for (const e of events) emitter.off(e, done);
      resolve();
    };
    for (const e of events) emitter.once(e, done);
  });
}

/**
 * Decodes [pos, end) with a native program (bzip2, or xz for lzma) whose output streams through
 * `feed` as it comes: the caps are checked on every chunk and the program is killed at the first
 * error, so a bomb costs a few MiB of memory, not its decompressed size.
 */
async function streamThrough(
  kind: 'bzip2' | 'lzma',
  file: FileReader,
  pos: number,
  end: number,
  feed: (b: Uint8Array) => void,
  signal: AbortSignal | undefined,
  progress: () => void,
): Promise<void> {
  const [program, args] =
    kind === 'bzip2' ? ['bzip2', ['-dc']] : ['xz', ['--format=lzma', '-dc', '-q', '--single-stream']];
  const proc = spawnToFd(program, args, { stdin: 'pipe', stdoutFd: 'pipe', signal, timeoutMs: 600_000 });
  // a read error ends the decoder, whose exit status then reports it
  pump(file, pos, end, proc).catch(() => proc.kill());
  let failure: unknown;
  try {
    let n = 0;
    for await (const chunk of proc.stdout!) {
      feed(chunk as Buffer);
      if (++n % 16 === 0) progress();
    }
  } catch (e) {
    failure = e;
    proc.kill();
    proc.stdout!.destroy();
  }
  const exit = await proc.exited;
  if (failure instanceof InitrdError) throw failure;
  if (exit.error && (signal?.aborted || /cancelled/.test(exit.error.message)))
    throw new InitrdError('cancelled');
  if (exit.error)
    throw new InitrdError(`${kind} data at offset ${pos} could not be decoded: ${exit.error.message}`);
  if (failure)
    throw new InitrdError(
      `${kind} data at offset ${pos} could not be decoded: ${(failure as Error).message}`,
    );
  if (exit.code !== 0) {
    const why = exit.stderr
      .trim()
      .split('\n')
      .pop()
      ?.replace(/^[^:]*: /, '');
    throw new InitrdError(
      `${kind} data at offset ${pos} could not be decoded, corrupt or truncated (${program} exited with ${exit.code === null ? `signal ${exit.signal}` : `status ${exit.code}`}${why ? `: ${why}` : ''})`,
    );
  }
  progress();
}
