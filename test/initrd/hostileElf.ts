// Hand-made ELF files and newc archives for the health-check tests: the bytes are written here,
// so a test can make a binary with thousands of DT_NEEDED entries or a RUNPATH no linker would.
import * as zlib from 'node:zlib';

export interface ElfSpec {
  needed: string[];
  runpath?: string[];
  interp?: string;
}

/** A little-endian ELF64 shared object with PT_LOAD, PT_DYNAMIC (and PT_INTERP when asked). */
export function makeElf(spec: ElfSpec): Buffer {
  const strings: Buffer[] = [Buffer.from([0])];
  let strSize = 1;
  const str = (s: string): number => {
    const at = strSize;
    const b = Buffer.from(s + '\0');
    strings.push(b);
    strSize += b.length;
    return at;
  };
  const tags: [number, number][] = spec.needed.map((n) => [1, str(n)]);
  if (spec.runpath) tags.push([29, str(spec.runpath.join(':'))]);
  const phnum = spec.interp ? 3 : 2;
  const phoff = 64;
  const dynOff = phoff + 56 * phnum;
  const dynSize = 16 * (tags.length + 2); // + DT_STRTAB + DT_NULL
  const strOff = dynOff + dynSize;
  tags.push([5, strOff], [0, 0]);
  const interpOff = strOff + strSize;
  const interp = spec.interp ? Buffer.from(spec.interp + '\0') : Buffer.alloc(0);
  const total = interpOff + interp.length;
  const b = Buffer.alloc(total);
  b.write('\x7fELF', 0, 'latin1');
  b[4] = 2; // 64-bit
  b[5] = 1; // little endian
  b[6] = 1;
  b.writeUInt16LE(3, 16); // ET_DYN
  b.writeUInt16LE(62, 18); // x86-64
  b.writeUInt32LE(1, 20);
  b.writeBigUInt64LE(BigInt(phoff), 32);
  b.writeUInt16LE(64, 52);
  b.writeUInt16LE(56, 54);
  b.writeUInt16LE(phnum, 56);
  const ph = (i: number, type: number, off: number, size: number) => {
    const p = phoff + 56 * i;
    b.writeUInt32LE(type, p);
    b.writeBigUInt64LE(BigInt(off), p + 8); // p_offset
    b.writeBigUInt64LE(BigInt(off), p + 16); // p_vaddr
    b.writeBigUInt64LE(BigInt(size), p + 32); // p_filesz
    b.writeBigUInt64LE(BigInt(size), p + 40); // p_memsz
  };
  ph(0, 1, 0, total);
  ph(1, 2, dynOff, dynSize);
  if (spec.interp) ph(2, 3, interpOff, interp.length);
  tags.forEach(([t, v], i) => {
    b.writeBigUInt64LE(BigInt(t), dynOff + 16 * i);
    b.writeBigUInt64LE(BigInt(v), dynOff + 16 * i + 8);
  });
  Buffer.concat(strings).copy(b, strOff);
  interp.copy(b, interpOff);
  return b;
}

export interface Member {
  path: string;
  data?: Buffer | string;
  /** Symlink target. */
  target?: string;
  dir?: boolean;
  mode?: number;
}

/** A newc archive of `members` (with its trailer). */
export function newcArchive(members: Member[]): Buffer {
  const parts: Buffer[] = [];
  let ino = 1;
  const pad = (n: number) => Buffer.alloc((4 - (n % 4)) % 4);
  const one = (name: string, mode: number, data: Buffer) => {
    const hex = (v: number) => v.toString(16).padStart(8, '0');
    const nameBytes = Buffer.from(name + '\0');
    const head = Buffer.concat([
      Buffer.from(
        '070701' + [ino++, mode, 0, 0, 1, 0, data.length, 0, 0, 0, 0, nameBytes.length, 0].map(hex).join(''),
      ),
      nameBytes,
    ]);
    parts.push(head, pad(head.length), data, pad(data.length));
  };
  for (const m of members) {
    if (m.dir) one(m.path, 0o040755, Buffer.alloc(0));
    else if (m.target !== undefined) one(m.path, 0o120777, Buffer.from(m.target));
    else one(m.path, 0o100000 | (m.mode ?? 0o644), Buffer.from(m.data ?? ''));
  }
  one('TRAILER!!!', 0, Buffer.alloc(0));
  return Buffer.concat(parts);
}

export const gzip = (b: Buffer): Buffer => zlib.gzipSync(b, { level: 9 });
