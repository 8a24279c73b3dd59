// Writing a cpio "newc" archive (the format the kernel unpacks into its initramfs): 110-byte
// ASCII-hex headers, names and data padded to 4 bytes, ended by `TRAILER!!!`. Used to append a
// throwaway segment (initrd secrets) to a copy of an initrd; the kernel unpacks concatenated
// segments in order, a later entry replacing an earlier one at the same path.

export interface NewcEntry {
  /** Path inside the archive, without a leading `/` (e.g. `.initrd-secrets/etc/ssh/key`). */
  readonly name: string;
  readonly type: 'file' | 'dir';
  /** Permission bits (e.g. 0o600). */
  readonly mode: number;
  readonly data?: Uint8Array;
}

const S_IFREG = 0o100000;
const S_IFDIR = 0o040000;

function hex8(n: number): string {
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new RangeError(`cpio field out of range: ${n}`);
  return n.toString(16).toUpperCase().padStart(8, '0');
}

const pad4 = (n: number) => (4 - (n % 4)) % 4;

function header(name: string, mode: number, size: number, ino: number, nlink: number): Buffer {
  const nameBytes = Buffer.from(`${name}\0`, 'utf8');
  const fields = [
    '070701',
    hex8(ino),
    hex8(mode),
    hex8(0), // uid
    hex8(0), // gid
    hex8(nlink),
    hex8(1), // mtime: as reproducible as nixpkgs' own segments
    hex8(size),
    hex8(0), // devmajor
    hex8(0), // devminor
    hex8(0), // rdevmajor
    hex8(0), // rdevminor
    hex8(nameBytes.length),
    hex8(0), // check
  ].join('');
  return Buffer.concat([Buffer.from(fields, 'ascii'), nameBytes, Buffer.alloc(pad4(110 + nameBytes.length))]);
}

/** A complete newc archive of `entries` (parents are not implied: list directories first). */
export function writeNewc(entries: readonly NewcEntry[]): Buffer {
  const parts: Buffer[] = [];
  let ino = 1;
  for (const e of entries) {
    const name = e.name.replace(/^\/+/, '');
    if (!name || name.split('/').some((c) => c === '..' || c === ''))
      throw new Error(`bad cpio entry name '${e.name}'`);
    const data = e.type === 'file' ? Buffer.from(e.data ?? new Uint8Array()) : Buffer.alloc(0);
    const mode = (e.type === 'dir' ? S_IFDIR : S_IFREG) | (e.mode & 0o7777);
    parts.push(
      header(name, mode, data.length, ino++, e.type === 'dir' ? 2 : 1),
      data,
      Buffer.alloc(pad4(data.length)),
    );
  }
  parts.push(header('TRAILER!!!', 0, 0, 0, 1));
  return Buffer.concat(parts);
}

/** Directory entries for every parent of `paths` (sorted, each once). */
export function parentDirs(paths: readonly string[]): string[] {
  const dirs = new Set<string>();
  for (const p of paths) {
    const parts = p.replace(/^\/+/, '').split('/');
    for (let i = 1; i < parts.length; i++) dirs.add(parts.slice(0, i).join('/'));
  }
  return [...dirs].sort();
}

/** Zero bytes that bring `offset` to a multiple of 4 (the kernel looks for an uncompressed segment's magic on a 4-byte boundary and skips zeros). */
export function alignmentPadding(offset: number): Buffer {
  return Buffer.alloc(pad4(offset));
}
