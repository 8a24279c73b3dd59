// Minimal ELF reader for the health check: PT_INTERP, DT_NEEDED, DT_RPATH and DT_RUNPATH (each
// value once, in order).
// Works on 32/64-bit, little/big endian; returns undefined for non-ELF or corrupt data.

export interface ElfInfo {
  interp?: string;
  needed: string[];
  rpath: string[];
  runpath: string[];
}

export function isElf(b: Uint8Array): boolean {
  return b.length >= 4 && b[0] === 0x7f && b[1] === 0x45 && b[2] === 0x4c && b[3] === 0x46;
}

export function parseElf(buf: Buffer): ElfInfo | undefined {
  if (!isElf(buf) || buf.length < 52) return undefined;
  const is64 = buf[4] === 2;
  const le = buf[5] === 1;
  if (buf[4] !== 1 && buf[4] !== 2) return undefined;
  const u16 = (o: number) => (le ? buf.readUInt16LE(o) : buf.readUInt16BE(o));
  const u32 = (o: number) => (le ? buf.readUInt32LE(o) : buf.readUInt32BE(o));
  const uN = (o: number) => (is64 ? Number(le ? buf.readBigUInt64LE(o) : buf.readBigUInt64BE(o)) : u32(o));
  const ok = (o: number, n: number) => o >= 0 && o + n <= buf.length;
  try {
    if (is64 && buf.length < 64) return undefined;
    const phoff = is64 ? uN(32) : u32(28);
    const phentsize = u16(is64 ? 54 : 42);
    const phnum = u16(is64 ? 56 : 44);
    if (phnum > 4096 || phentsize < (is64 ? 56 : 32)) return undefined;
    const loads: { off: number; vaddr: number; size: number }[] = [];
    let interp: string | undefined;
    let dyn: { off: number; size: number } | undefined;
    for (let i = 0; i < phnum; i++) {
      const p = phoff + i * phentsize;
      if (!ok(p, phentsize)) return undefined;
      const type = u32(p);
      const off = is64 ? uN(p + 8) : u32(p + 4);
      const vaddr = is64 ? uN(p + 16) : u32(p + 8);
      const filesz = is64 ? uN(p + 32) : u32(p + 16);
      if (type === 1) loads.push({ off, vaddr, size: filesz });
      else if (type === 3 && ok(off, filesz))
        interp = buf.toString('utf8', off, off + filesz).replace(/\0.*$/s, '');
      else if (type === 2) dyn = { off, size: filesz };
    }
    const info: ElfInfo = { interp, needed: [], rpath: [], runpath: [] };
    if (!dyn || !ok(dyn.off, dyn.size)) return info;
    const ent = is64 ? 16 : 8;
    const tags: [number, number][] = [];
    for (let p = dyn.off; p + ent <= dyn.off + dyn.size; p += ent) {
      const tag = is64 ? uN(p) : u32(p);
      const val = is64 ? uN(p + 8) : u32(p + 4);
      if (tag === 0) break;
      tags.push([tag, val]);
    }
    const strtabV = tags.find(([t]) => t === 5)?.[1];
    if (strtabV === undefined) return info;
    const seg = loads.find((l) => strtabV >= l.vaddr && strtabV < l.vaddr + l.size);
    const strtab = seg ? strtabV - seg.vaddr + seg.off : strtabV;
    const str = (o: number) => {
      const s = strtab + o;
      if (!ok(s, 1)) return '';
      const e = buf.indexOf(0, s);
      return buf.toString('utf8', s, e < 0 ? buf.length : e);
    };
    // Each string once (a hostile file repeats one tag thousands of times); no spread of a long
    // list into push(), which overflows the stack.
    const needed = new Set<string>();
    const rpath = new Set<string>();
    const runpath = new Set<string>();
    const strings = new Map<number, string>();
    const at = (v: number) => {
      let t = strings.get(v);
      if (t === undefined) strings.set(v, (t = str(v)));
      return t;
    };
    for (const [t, v] of tags) {
      if (t === 1) needed.add(at(v));
      else if (t === 15 || t === 29)
        for (const d of at(v).split(':')) if (d) (t === 15 ? rpath : runpath).add(d);
    }
    info.needed = [...needed];
    info.rpath = [...rpath];
    info.runpath = [...runpath];
    return info;
  } catch {
    return undefined;
  }
}
