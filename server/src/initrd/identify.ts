// Which files are initrds, and what to call them. The client asks (nixboot/initrd/identify) before
// it offers initrd commands on a file, opens one in the initrd viewer, or names a mount, a tab,
// a Problems group or a comparison: names say which image is which ("gen 3 · Linux 6.12.59 ·
// 2026-11-22"), comparisons run older → newer. Pure functions, plus one bounded read per file.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { magicOf, type Compression } from './segments';

/** What the first bytes say a file is. `uki`: a PE image with a `.linux` section (unified kernel image). */
export type ImageKind = 'cpio' | Exclude<Compression, 'none'> | 'uki';

/** Bytes read from the start of each file (PE section headers of a UKI sit within them). */
const HEAD_BYTES = 4096;

/** The kind of image `head` (the file's first bytes) starts, or undefined: not an initrd. */
export function sniffImage(head: Uint8Array): ImageKind | undefined {
  if (head.length < 6) return undefined;
  if (head[0] === 0x4d && head[1] === 0x5a) {
    // MZ: any Windows program starts so; only a PE image with a `.linux` section is a kernel image.
    return Buffer.from(head.buffer, head.byteOffset, head.length).includes('.linux\0', 0, 'latin1')
      ? 'uki'
      : undefined;
  }
  const kind = magicOf(head) as ImageKind | undefined; // magicOf never says 'none'
  if (kind === 'lzma') {
    // "5d 00 00" alone also starts unrelated data: an lzma-alone header has a dictionary size
    // that is a power of two (or 2^n + 2^(n-1)) and sane properties (lc+lp+pb within 0x5d).
    const dict = head[1]! | (head[2]! << 8) | (head[3]! << 16) | (head[4]! << 24);
    return dict >>> 0 >= 4096 ? 'lzma' : undefined;
  }
  if (kind === 'gzip') {
    // Any .gz file starts so: an initrd's gzip segment holds a cpio archive ("0707…").
    try {
      const out = zlib.gunzipSync(head, { finishFlush: zlib.constants.Z_SYNC_FLUSH });
      return out.length < 5 || Buffer.from(out.subarray(0, 5)).toString('latin1') === '07070'
        ? 'gzip'
        : undefined;
    } catch {
      return undefined;
    }
  }
  return kind;
}

/** The first HEAD_BYTES of a regular file, or undefined (missing, not a regular file, unreadable). */
export function readHead(file: string): Uint8Array | undefined {
  let fd: number | undefined;
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0));
    if (!fs.fstatSync(fd).isFile()) return undefined;
    const b = Buffer.alloc(HEAD_BYTES);
    const n = fs.readSync(fd, b, 0, HEAD_BYTES, 0);
    return b.subarray(0, n);
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/** What the label is built from: the generations whose initrd this file is, else the file itself. */
export interface LabelFacts {
  readonly file: string;
  /** Generations (numbers, with their kernel and creation date) that boot this very file. */
  readonly generations: readonly {
    readonly generation: number;
    readonly kernelVersion?: string;
    readonly date: string;
  }[];
  /** Kernel version found inside the image (lib/modules/VERSION), when known. */
  readonly kernelVersion?: string;
  /** The file's modification time (ISO), for images that belong to no generation. */
  readonly mtime?: string;
}

export interface ImageLabel {
  /** "gen 3 · Linux 6.12.59 · 2026-11-22" or "initrd · Linux 6.12.59 · 2026-12-01". */
  readonly name: string;
  /** The name prefixed for mounts, tabs and Problems groups: "initrd: gen 3 · …". */
  readonly title: string;
  /** The newest generation booting this file (orders comparisons). */
  readonly generation?: number;
  readonly kernelVersion?: string;
  /** ISO date (YYYY-MM-DD) the label shows. */
  readonly date?: string;
}

export function labelImage(f: LabelFacts): ImageLabel {
  const gens = [...f.generations].sort((a, b) => a.generation - b.generation);
  const newest = gens[gens.length - 1];
  const kernelVersion = newest?.kernelVersion ?? f.kernelVersion;
  // Shared by several generations: the oldest one built it.
  const date = (gens[0]?.date ?? f.mtime)?.slice(0, 10);
  const who = gens.length === 0 ? path.basename(f.file) : `gen ${gens.map((g) => g.generation).join(', ')}`;
  const name = [who, ...(kernelVersion ? [`Linux ${kernelVersion}`] : []), ...(date ? [date] : [])].join(
    ' · ',
  );
  return {
    name,
    title: `initrd: ${name}`,
    ...(newest ? { generation: newest.generation } : {}),
    ...(kernelVersion ? { kernelVersion } : {}),
    ...(date ? { date } : {}),
  };
}

/**
 * Two images in comparison order, older → newer: by generation when both belong to one, else by
 * date (then name), so "gen 2 → gen 3" reads the same way in initrd and closure diffs.
 */
export function olderFirst<T extends { readonly label: Pick<ImageLabel, 'generation' | 'date'> }>(
  a: T,
  b: T,
): [T, T] {
  const ga = a.label.generation;
  const gb = b.label.generation;
  if (ga !== undefined && gb !== undefined) return ga <= gb ? [a, b] : [b, a];
  const da = a.label.date ?? '';
  const db = b.label.date ?? '';
  if (da !== db) return da < db ? [a, b] : [b, a];
  return [a, b];
}
