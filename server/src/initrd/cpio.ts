// Incremental reader for cpio `newc` (070701) and `crc` (070702) archives, fed chunk by chunk.
// It follows the kernel's rules (init/initramfs.c): archives may follow each other in one
// stream, separated by NUL padding; each header and name is padded to 4 bytes; hardlinks are
// matched on (major, minor, ino) and reset at each `TRAILER!!!`. File data is handed to a sink
// (the on-disk cache) and never kept in memory.
import { describeData } from '../text';

export type EntryType = 'file' | 'dir' | 'symlink' | 'char' | 'block' | 'fifo' | 'socket';

export interface CpioEntry {
  /** Absolute, normalised path ("/" for the root, "/etc/fstab" …). */
  path: string;
  type: EntryType;
  size: number;
  mode: number;
  uid: number;
  gid: number;
  mtime: number;
  /** Symlink target. */
  target?: string;
  /** Device number for char/block nodes. */
  rdev?: [number, number];
  /** Offset of the data in the cache's data file (regular files). */
  dataOffset: number;
  /** Index of the segment the entry came from. */
  segment: number;
}

export class InitrdError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InitrdError';
  }
}

const HEADER = 110;
const MAX_NAME = 4096;
const MAX_LINK = 4096;

function entryType(mode: number): EntryType | undefined {
  switch (mode & 0o170000) {
    case 0o100000:
      return 'file';
    case 0o040000:
      return 'dir';
    case 0o120000:
      return 'symlink';
    case 0o020000:
      return 'char';
    case 0o060000:
      return 'block';
    case 0o010000:
      return 'fifo';
    case 0o140000:
      return 'socket';
    default:
      return undefined;
  }
}

/** Normalises an archive member name to an absolute path; rejects `..`. */
function normaliseName(name: string): string {
  const parts: string[] = [];
  for (const p of name.split('/')) {
    if (p === '' || p === '.') continue;
    if (p === '..') throw new InitrdError(`entry name '${name}' escapes the archive root ('..')`);
    parts.push(p);
  }
  return '/' + parts.join('/');
}

export interface CpioSink {
  /** Writes file data to the cache; returns the offset it was written at. */
  write(bytes: Uint8Array): void;
  /** Current offset of the next write. */
  readonly position: number;
  entry(e: CpioEntry): void;
  /** Present when a native decoder may append a whole decompressed stream to the cache file. */
  readonly direct?: DirectCache;
}

export interface DirectCache {
  /** Waits for every pending write; returns the cache file and its size (where appended bytes land). */
  prepare(): Promise<{ file: string; offset: number }>;
  /** `n` bytes were appended at that offset. */
  appended(n: number): void;
}

interface Pending {
  header: Record<string, number>;
  name?: string;
  entry?: CpioEntry;
  remaining: number;
  pad: number;
  link?: Uint8Array[];
  linkLen?: number;
  crc: boolean;
  sum: number;
}

const FIELDS = [
  'ino',
  'mode',
  'uid',
  'gid',
  'nlink',
  'mtime',
  'filesize',
  'devmajor',
  'devminor',
  'rdevmajor',
  'rdevminor',
  'namesize',
  'check',
];

/**
 * Push-based reader. `push(chunk)` consumes bytes; `end()` checks the stream ended cleanly.
 * Between archives only NUL bytes are allowed.
 */
export class CpioReader {
  private buf: Uint8Array = new Uint8Array(0);
  /** Bytes consumed so far (relative to the start of this stream; alignment is relative to it). */
  consumed = 0;
  /** Plain (uncompressed) segments: stop before the next non-NUL byte after a trailer. */
  stopAtNextArchive = false;
  stopped = false;
  private state: 'between' | 'header' | 'name' | 'data' | 'skip' = 'between';
  private cur: Pending | undefined;
  private links = new Map<string, CpioEntry[]>();
  archives = 0;
  entries = 0;
  private inArchive = false;

  /**
   * Direct mode (`directBase` set): the decompressed stream itself is already in the cache file,
   * starting at `directBase`. File data is then not written to the sink; an entry's data offset
   * is its offset in that stream, and the caller may `skip()` file data it never reads.
   */
  constructor(
    private readonly sink: CpioSink,
    private readonly segment: number,
    private readonly maxEntries = 2_000_000,
    private readonly directBase?: number,
  ) {}

  /** Direct mode: bytes of file data that can be passed over unread (0 when the reader must see them). */
  skippable(): number {
    const cur = this.cur;
    if (this.directBase === undefined || this.state !== 'data' || !cur || this.buf.length) return 0;
    if (cur.crc || cur.link || cur.entry?.type !== 'file') return 0;
    return cur.remaining;
  }

  /** Passes over `n` ≤ skippable() bytes of file data. */
  skip(n: number): void {
    const cur = this.cur!;
    if (n <= 0 || n > this.skippable()) throw new Error('CpioReader.skip: nothing to skip');
    cur.remaining -= n;
    this.consumed += n;
    if (cur.remaining === 0) this.finishData();
  }

  push(chunk: Uint8Array): void {
    let data = chunk;
    if (this.buf.length) {
      const joined = new Uint8Array(this.buf.length + chunk.length);
      joined.set(this.buf, 0);
      joined.set(chunk, this.buf.length);
      data = joined;
      this.buf = new Uint8Array(0);
    }
    let i = 0;
    while (i < data.length && !this.stopped) {
      const used = this.step(data, i);
      if (used < 0) {
        // need more bytes: keep the rest
        this.buf = Uint8Array.prototype.slice.call(data, i); // a copy, also when data is a Buffer
        return;
      }
      i += used;
      this.consumed += used;
    }
  }

  /** Returns bytes used, or -1 when more input is needed. */
  private step(d: Uint8Array, i: number): number {
    switch (this.state) {
      case 'between': {
        let j = i;
        while (j < d.length && d[j] === 0) j++;
        if (j > i) return j - i;
        if (this.stopAtNextArchive && this.archives > 0) {
          this.stopped = true;
          return 0;
        }
        if (d.length - i < 6) return -1;
        const magic = ascii(d, i, 6);
        if (magic !== '070701' && magic !== '070702') {
          if (magic === '070707')
            throw new InitrdError('old portable cpio format (070707) is not supported by the kernel');
          // Only the 6 magic bytes are sure to be here whatever the chunking: the message must not
          // depend on how the stream was cut (the fuzzer's cpio target checks that).
          throw new InitrdError(
            `not a cpio newc header at stream offset ${this.consumed}: ${describeData(d.subarray(i, i + 6))}`,
          );
        }
        if (this.consumed % 4 !== 0)
          throw new InitrdError(`cpio header at unaligned offset ${this.consumed}`);
        this.state = 'header';
        return 0;
      }
      case 'header': {
        if (d.length - i < HEADER) return -1;
        const magic = ascii(d, i, 6);
        if (magic !== '070701' && magic !== '070702')
          throw new InitrdError(`bad cpio magic at stream offset ${this.consumed}`);
        const header: Record<string, number> = {};
        for (let k = 0; k < FIELDS.length; k++) {
          const s = ascii(d, i + 6 + k * 8, 8);
          if (!/^[0-9a-fA-F]{8}$/.test(s))
            throw new InitrdError(`bad cpio header field ${FIELDS[k]} at stream offset ${this.consumed}`);
          header[FIELDS[k]!] = parseInt(s, 16);
        }
        if (header.namesize! < 1 || header.namesize! > MAX_NAME)
          throw new InitrdError(
            `cpio name size ${header.namesize} out of range at stream offset ${this.consumed}`,
          );
        this.cur = { header, remaining: 0, pad: 0, crc: magic === '070702', sum: 0 };
        this.state = 'name';
        this.inArchive = true;
        return HEADER;
      }
      case 'name': {
        const h = this.cur!.header;
        const len = h.namesize!;
        const padded = pad4(this.consumed + len) - this.consumed;
        if (d.length - i < padded) return -1;
        if (d[i + len - 1] !== 0)
          throw new InitrdError(`cpio name not NUL-terminated at stream offset ${this.consumed}`);
        const name = Buffer.from(d.subarray(i, i + len - 1)).toString('utf8');
        this.cur!.name = name;
        this.beginEntry(this.consumed + padded);
        return padded;
      }
      case 'data': {
        const cur = this.cur!;
        const n = Math.min(cur.remaining, d.length - i);
        if (n === 0 && cur.remaining > 0) return -1;
        const part = d.subarray(i, i + n);
        if (cur.crc) for (let k = 0; k < part.length; k++) cur.sum = (cur.sum + part[k]!) >>> 0;
        if (cur.link) {
          cur.link.push(Uint8Array.prototype.slice.call(part));
          cur.linkLen = (cur.linkLen ?? 0) + n;
        } else if (cur.entry && cur.entry.type === 'file' && this.directBase === undefined) {
          this.sink.write(part);
        }
        cur.remaining -= n;
        if (cur.remaining === 0) this.finishData();
        return n;
      }
      case 'skip': {
        const cur = this.cur!;
        if (cur.pad < 0) cur.pad = pad4(this.consumed) - this.consumed;
        if (cur.pad === 0) {
          this.state = this.inArchive ? 'header' : 'between';
          return 0;
        }
        if (i >= d.length) return -1;
        const n = Math.min(cur.pad, d.length - i);
        cur.pad -= n;
        if (cur.pad === 0) this.state = this.inArchive ? 'header' : 'between';
        return n;
      }
    }
  }

  /** `dataStart`: stream offset of the entry's data. */
  private beginEntry(dataStart: number): void {
    const cur = this.cur!;
    const h = cur.header;
    const size = h.filesize!;
    const name = cur.name!;
    if (name === 'TRAILER!!!') {
      this.links.clear();
      this.archives++;
      this.inArchive = false;
      cur.remaining = size;
      this.afterName(size);
      return;
    }
    if (++this.entries > this.maxEntries) throw new InitrdError(`more than ${this.maxEntries} entries`);
    const type = entryType(h.mode!);
    if (!type)
      throw new InitrdError(`entry '${name}' has an unknown file type (mode ${h.mode!.toString(8)})`);
    const path = normaliseName(name);
    if (type === 'symlink' && size > MAX_LINK)
      throw new InitrdError(`symlink '${path}' target is ${size} bytes long`);
    const entry: CpioEntry = {
      path,
      type,
      size: type === 'file' || type === 'symlink' ? size : 0,
      mode: h.mode! & 0o7777,
      uid: h.uid!,
      gid: h.gid!,
      mtime: h.mtime!,
      dataOffset: this.directBase === undefined ? this.sink.position : this.directBase + dataStart,
      segment: this.segment,
    };
    if (type === 'char' || type === 'block') entry.rdev = [h.rdevmajor!, h.rdevminor!];
    cur.entry = entry;
    if (type === 'symlink') {
      cur.link = [];
    }
    if (type === 'file' && h.nlink! > 1) {
      const key = `${h.devmajor}:${h.devminor}:${h.ino}`;
      const group = this.links.get(key);
      if (group) group.push(entry);
      else this.links.set(key, [entry]);
      if (size > 0) {
        // the data (stored once, usually with the last link) belongs to every name of the group
        for (const other of this.links.get(key)!) {
          other.dataOffset = entry.dataOffset;
          other.size = size;
        }
      } else {
        const withData = this.links.get(key)!.find((e) => e.size > 0);
        if (withData) {
          entry.dataOffset = withData.dataOffset;
          entry.size = withData.size;
        }
      }
    }
    cur.remaining = size;
    this.afterName(size);
  }

  private afterName(size: number): void {
    if (size > 0) this.state = 'data';
    else this.finishData();
  }

  private finishData(): void {
    const cur = this.cur!;
    const size = cur.header.filesize!;
    if (cur.crc && cur.entry?.type === 'file' && cur.sum >>> 0 !== cur.header.check) {
      throw new InitrdError(`checksum mismatch for '${cur.entry.path}' (070702 archive)`);
    }
    if (cur.link && cur.entry) {
      cur.entry.target = Buffer.concat(cur.link).toString('utf8');
      cur.entry.size = cur.linkLen ?? 0;
    }
    if (cur.entry) this.sink.entry(cur.entry);
    void size;
    this.state = 'skip';
    cur.pad = -1; // computed in the 'skip' step, once `consumed` includes the data
  }

  /** True when every started archive has reached its trailer. */
  get complete(): boolean {
    return !this.inArchive && this.state !== 'data' && this.state !== 'name' && this.state !== 'header';
  }

  end(): void {
    if (this.stopped) return;
    if (this.buf.length) {
      if (this.buf.every((b) => b === 0)) return;
      throw new InitrdError('cpio archive is truncated');
    }
    if (this.state === 'data' || this.state === 'name' || this.state === 'header' || this.inArchive) {
      throw new InitrdError('cpio archive is truncated (no TRAILER!!!)');
    }
  }
}

function pad4(n: number): number {
  return (n + 3) & ~3;
}

function ascii(d: Uint8Array, i: number, n: number): string {
  let s = '';
  for (let k = 0; k < n; k++) s += String.fromCharCode(d[i + k]!);
  return s;
}
