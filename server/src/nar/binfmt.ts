// Just enough ELF and Mach-O parsing for rebuild diffs: ELF section ranges, and Mach-O
// LC_CODE_SIGNATURE CodeDirectory page hashes (the check of seed 004's check.py). Pure code.
import { createHash } from 'node:crypto';

export interface Section {
  readonly name: string;
  readonly offset: number;
  readonly size: number;
}

export function isElf(b: Uint8Array): boolean {
  return b.length >= 16 && b[0] === 0x7f && b[1] === 0x45 && b[2] === 0x4c && b[3] === 0x46;
}

/** Sections of an ELF file that occupy file bytes (SHT_NOBITS skipped); [] when malformed. */
export function elfSections(data: Uint8Array): Section[] {
  if (!isElf(data)) return [];
  const b = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const is64 = b[4] === 2;
  const le = b[5] !== 2;
  const u16 = (o: number) => (le ? b.readUInt16LE(o) : b.readUInt16BE(o));
  const u32 = (o: number) => (le ? b.readUInt32LE(o) : b.readUInt32BE(o));
  const addr = (o: number) => (is64 ? Number(le ? b.readBigUInt64LE(o) : b.readBigUInt64BE(o)) : u32(o));
  try {
    const shoff = addr(is64 ? 0x28 : 0x20);
    const shentsize = u16(is64 ? 0x3a : 0x2e);
    const shnum = u16(is64 ? 0x3c : 0x30);
    const shstrndx = u16(is64 ? 0x3e : 0x32);
    if (!shoff || shnum === 0 || shoff + shnum * shentsize > b.length || shentsize < (is64 ? 64 : 40))
      return [];
    const hdr = (i: number) => {
      const o = shoff + i * shentsize;
      return {
        name: u32(o),
        type: u32(o + 4),
        offset: addr(o + (is64 ? 0x18 : 0x10)),
        size: addr(o + (is64 ? 0x20 : 0x14)),
      };
    };
    const strtab = shstrndx < shnum ? hdr(shstrndx) : undefined;
    const name = (n: number): string => {
      if (!strtab || strtab.offset + n >= b.length) return `#${n}`;
      const end = b.indexOf(0, strtab.offset + n);
      return b.toString('latin1', strtab.offset + n, end < 0 ? b.length : end);
    };
    const out: Section[] = [
      { name: '(ELF header and program headers)', offset: 0, size: Math.min(b.length, 64) },
    ];
    for (let i = 1; i < shnum; i++) {
      const h = hdr(i);
      if (h.type === 8 || h.size === 0) continue;
      out.push({ name: name(h.name), offset: h.offset, size: h.size });
    }
    out.push({ name: '(section header table)', offset: shoff, size: shnum * shentsize });
    return out;
  } catch {
    return [];
  }
}

export interface SlotMismatch {
  readonly slot: number;
  readonly offset: number;
  readonly length: number;
  readonly recorded: string;
  readonly computed: string;
}

export interface CodeDirectoryCheck {
  /** File offset of the Mach-O slice (non-zero inside fat binaries). */
  readonly sliceOffset: number;
  readonly identifier: string;
  readonly flags: number;
  readonly hashType: number;
  readonly pageSize: number;
  readonly codeLimit: number;
  readonly nCodeSlots: number;
  readonly nSpecialSlots: number;
  readonly mismatches: SlotMismatch[];
}

export function isMachO(b: Uint8Array): boolean {
  if (b.length < 8) return false;
  const m = Buffer.from(b.buffer, b.byteOffset, 4).readUInt32BE(0);
  return m === 0xfeedfacf || m === 0xcffaedfe || m === 0xfeedface || m === 0xcefaedfe || m === 0xcafebabe;
}

const HASHES: Record<number, { algo: string; size: number }> = {
  1: { algo: 'sha1', size: 20 },
  2: { algo: 'sha256', size: 32 },
  3: { algo: 'sha256', size: 20 },
  4: { algo: 'sha384', size: 48 },
};

/**
 * Recomputes the code page hashes of every CodeDirectory in a Mach-O file (thin or fat) and
 * reports slots whose recorded hash differs. Throws on malformed signatures; returns [] for
 * files without LC_CODE_SIGNATURE.
 */
export function checkMachOSignature(data: Uint8Array): CodeDirectoryCheck[] {
  const b = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (b.length >= 8 && b.readUInt32BE(0) === 0xcafebabe) {
    const n = b.readUInt32BE(4);
    if (n > 64) throw new Error('fat header with too many architectures (or a Java class file)');
    const out: CodeDirectoryCheck[] = [];
    for (let i = 0; i < n; i++) {
      const o = 8 + i * 20;
      const off = b.readUInt32BE(o + 8);
      const size = b.readUInt32BE(o + 12);
      if (off + size > b.length) throw new Error('fat slice runs past the end of the file');
      out.push(...checkThin(b.subarray(off, off + size), off));
    }
    return out;
  }
  return checkThin(b, 0);
}

function checkThin(b: Buffer, sliceOffset: number): CodeDirectoryCheck[] {
  const magic = b.readUInt32LE(0);
  const le = magic === 0xfeedfacf || magic === 0xfeedface;
  if (!le && magic !== 0xcffaedfe && magic !== 0xcefaedfe) throw new Error('not a Mach-O file');
  const is64 = magic === 0xfeedfacf || magic === 0xcffaedfe;
  const u32 = (o: number) => (le ? b.readUInt32LE(o) : b.readUInt32BE(o));
  const ncmds = u32(16);
  let p = is64 ? 32 : 28;
  let sig: { off: number; size: number } | undefined;
  for (let i = 0; i < ncmds; i++) {
    if (p + 8 > b.length) throw new Error('load commands run past the end of the file');
    const cmd = u32(p);
    const size = u32(p + 4);
    if (size < 8) throw new Error('load command with size < 8');
    if (cmd === 0x1d) sig = { off: u32(p + 8), size: u32(p + 12) };
    p += size;
  }
  if (!sig) return [];
  if (sig.off + sig.size > b.length || sig.size < 12)
    throw new Error('LC_CODE_SIGNATURE points outside the file');
  const sb = b.subarray(sig.off, sig.off + sig.size);
  if (sb.readUInt32BE(0) !== 0xfade0cc0) throw new Error('code signature is not an embedded SuperBlob');
  const count = sb.readUInt32BE(8);
  if (12 + count * 8 > sb.length) throw new Error('SuperBlob index runs past the signature');
  const out: CodeDirectoryCheck[] = [];
  for (let i = 0; i < count; i++) {
    const type = sb.readUInt32BE(12 + i * 8);
    const off = sb.readUInt32BE(16 + i * 8);
    if (type !== 0 && (type < 0x1000 || type >= 0x1005)) continue;
    if (off + 44 > sb.length || sb.readUInt32BE(off) !== 0xfade0c02)
      throw new Error(`blob ${i} is not a CodeDirectory`);
    const cd = sb.subarray(off, off + Math.min(sb.readUInt32BE(off + 4), sb.length - off));
    const version = cd.readUInt32BE(8);
    const flags = cd.readUInt32BE(12);
    const hashOffset = cd.readUInt32BE(16);
    const identOffset = cd.readUInt32BE(20);
    const nSpecialSlots = cd.readUInt32BE(24);
    const nCodeSlots = cd.readUInt32BE(28);
    let codeLimit = cd.readUInt32BE(32);
    const hashSize = cd[36]!;
    const hashType = cd[37]!;
    const pageShift = cd[39]!;
    if (version >= 0x20300 && cd.length >= 64) {
      const l64 = Number(cd.readBigUInt64BE(56));
      if (l64) codeLimit = l64;
    }
    const h = HASHES[hashType];
    if (!h) throw new Error(`unknown CodeDirectory hash type ${hashType}`);
    if (hashOffset + nCodeSlots * hashSize > cd.length)
      throw new Error('CodeDirectory hash slots run past its end');
    if (codeLimit > b.length) throw new Error('CodeDirectory codeLimit is beyond the end of the file');
    const pageSize = pageShift ? 2 ** pageShift : codeLimit;
    const identEnd = cd.indexOf(0, identOffset);
    const identifier = cd.toString('utf8', identOffset, identEnd < 0 ? cd.length : identEnd);
    const mismatches: SlotMismatch[] = [];
    for (let slot = 0; slot < nCodeSlots; slot++) {
      const start = slot * pageSize;
      const end = Math.min(start + pageSize, codeLimit);
      const computed = createHash(h.algo)
        .update(b.subarray(start, Math.max(start, end)))
        .digest()
        .subarray(0, hashSize);
      const recorded = cd.subarray(hashOffset + slot * hashSize, hashOffset + (slot + 1) * hashSize);
      if (!computed.equals(recorded)) {
        mismatches.push({
          slot,
          offset: sliceOffset + start,
          length: end - start,
          recorded: recorded.toString('hex'),
          computed: computed.toString('hex'),
        });
      }
    }
    out.push({
      sliceOffset,
      identifier,
      flags,
      hashType,
      pageSize,
      codeLimit,
      nCodeSlots,
      nSpecialSlots,
      mismatches,
    });
  }
  return out;
}
