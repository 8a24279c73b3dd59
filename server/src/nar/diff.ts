// Rebuild diff (seed 004): compare two store paths, directories or NAR files file by file;
// differing byte ranges, ELF sections touched, Mach-O code page hash slots that no longer match.
import * as fs from 'node:fs';
import { checkMachOSignature, elfSections, isElf, isMachO, type CodeDirectoryCheck } from './binfmt';
import { parseNar } from './nar';
import { printable } from '../text';
import { openRegularSync, readRegularFileSync } from '../files';

export interface TreeNode {
  readonly type: 'regular' | 'symlink' | 'directory';
  readonly executable?: boolean;
  readonly target?: string;
  readonly size?: number;
  read?(): Buffer;
}

/** Largest NAR file read into memory for a diff. */
const MAX_NAR = 2 * 1024 * 1024 * 1024;

/** Loads a NAR file (by magic) or a file system tree as path → node (root is ''). */
export function loadTree(p: string): Map<string, TreeNode> {
  const st = fs.lstatSync(p);
  if (st.isFile() && st.size >= 16) {
    const { fd } = openRegularSync(p);
    const head = Buffer.alloc(24);
    try {
      fs.readSync(fd, head, 0, 24, 0);
    } finally {
      fs.closeSync(fd);
    }
    if (head.readUInt32LE(0) === 13 && head.toString('latin1', 8, 21) === 'nix-archive-1') {
      if (st.size > MAX_NAR) throw new Error(`${p}: NAR larger than 2 GiB`);
      const nar = readRegularFileSync(p);
      const m = new Map<string, TreeNode>();
      for (const e of parseNar(nar)) {
        if (e.type === 'regular')
          m.set(e.path, {
            type: 'regular',
            executable: e.executable,
            size: e.size,
            read: () => nar.subarray(e.offset, e.offset + e.size),
          });
        else if (e.type === 'symlink') m.set(e.path, { type: 'symlink', target: e.target });
        else m.set(e.path, { type: 'directory' });
      }
      return m;
    }
  }
  const m = new Map<string, TreeNode>();
  const walk = (abs: string, rel: string, depth: number): void => {
    if (depth > 1000) throw new Error(`${abs}: nested too deeply`);
    const s = fs.lstatSync(abs);
    if (s.isSymbolicLink()) m.set(rel, { type: 'symlink', target: fs.readlinkSync(abs) });
    else if (s.isFile())
      m.set(rel, {
        type: 'regular',
        executable: (s.mode & 0o100) !== 0,
        size: s.size,
        read: () => readRegularFileSync(abs),
      });
    else if (s.isDirectory()) {
      m.set(rel, { type: 'directory' });
      for (const name of fs.readdirSync(abs).sort())
        walk(`${abs}/${name}`, rel ? `${rel}/${name}` : name, depth + 1);
    } else m.set(rel, { type: 'regular', size: 0, read: () => Buffer.alloc(0) });
  };
  walk(p, '', 0);
  return m;
}

export interface ByteRange {
  readonly start: number;
  readonly end: number;
  /** ELF sections the range overlaps (ELF files only). */
  readonly sections?: string[];
}

export interface FileDiff {
  readonly path: string;
  readonly change: 'added' | 'removed' | 'type' | 'executable' | 'target' | 'content';
  readonly detail?: string;
  readonly sizes?: [number, number];
  readonly ranges?: ByteRange[];
  readonly differingBytes?: number;
  /** Sections touched, ELF files. */
  readonly elfSections?: string[];
  /** Mach-O: CodeDirectory page hash checks of each side. */
  readonly machO?: { a: CodeDirectoryCheck[]; b: CodeDirectoryCheck[]; error?: string };
}

export interface NarDiff {
  readonly identical: boolean;
  readonly files: FileDiff[];
  readonly compared: number;
}

/** Byte ranges where a and b differ (runs of differing bytes closer than `gap` are merged). */
export function diffRanges(
  a: Uint8Array,
  b: Uint8Array,
  gap = 16,
  max = 1000,
): { ranges: { start: number; end: number }[]; count: number } {
  const n = Math.min(a.length, b.length);
  const ranges: { start: number; end: number }[] = [];
  let count = 0;
  let i = 0;
  const A = Buffer.from(a.buffer, a.byteOffset, a.byteLength);
  const B = Buffer.from(b.buffer, b.byteOffset, b.byteLength);
  const CH = 4096;
  while (i < n) {
    // skip equal chunks fast
    const e = Math.min(i + CH, n);
    if (A.compare(B, i, e, i, e) === 0) {
      i = e;
      continue;
    }
    for (; i < e; i++) {
      if (A[i] !== B[i]) {
        count++;
        const last = ranges[ranges.length - 1];
        if (last && i - last.end <= gap) last.end = i + 1;
        else if (ranges.length < max) ranges.push({ start: i, end: i + 1 });
      }
    }
  }
  if (a.length !== b.length) {
    count += Math.abs(a.length - b.length);
    const last = ranges[ranges.length - 1];
    if (last && n - last.end <= gap) last.end = Math.max(a.length, b.length);
    else if (ranges.length < max) ranges.push({ start: n, end: Math.max(a.length, b.length) });
  }
  return { ranges, count };
}

export function diffTrees(a: Map<string, TreeNode>, b: Map<string, TreeNode>): NarDiff {
  const paths = [...new Set([...a.keys(), ...b.keys()])].sort((x, y) =>
    Buffer.compare(Buffer.from(x), Buffer.from(y)),
  );
  const files: FileDiff[] = [];
  for (const p of paths) {
    const x = a.get(p);
    const y = b.get(p);
    if (!x) files.push({ path: p, change: 'added', detail: y!.type });
    else if (!y) files.push({ path: p, change: 'removed', detail: x.type });
    else if (x.type !== y.type) files.push({ path: p, change: 'type', detail: `${x.type} → ${y.type}` });
    else if (x.type === 'symlink' && x.target !== y.target)
      files.push({ path: p, change: 'target', detail: `${x.target} → ${y.target}` });
    else if (x.type === 'regular') {
      if (x.executable !== y.executable)
        files.push({
          path: p,
          change: 'executable',
          detail: `${x.executable ? 'executable' : 'not executable'} → ${y.executable ? 'executable' : 'not executable'}`,
        });
      const da = x.read!();
      const db = y.read!();
      if (da.equals(db)) continue;
      const { ranges, count } = diffRanges(da, db);
      const d: FileDiff & { ranges: ByteRange[] } = {
        path: p,
        change: 'content',
        sizes: [da.length, db.length],
        ranges,
        differingBytes: count,
      };
      let out: FileDiff = d;
      if (isElf(da) && isElf(db)) {
        const secs = elfSections(db);
        const touched = new Set<string>();
        out = {
          ...d,
          ranges: ranges.map((r) => {
            const names = secs
              .filter((s) => r.start < s.offset + s.size && r.end > s.offset)
              .map((s) => s.name);
            names.forEach((n) => touched.add(n));
            return { ...r, sections: names };
          }),
        };
        out = { ...out, elfSections: [...touched] };
      } else if (isMachO(da) || isMachO(db)) {
        try {
          out = {
            ...d,
            machO: {
              a: isMachO(da) ? checkMachOSignature(da) : [],
              b: isMachO(db) ? checkMachOSignature(db) : [],
            },
          };
        } catch (e) {
          out = { ...d, machO: { a: [], b: [], error: (e as Error).message } };
        }
      }
      files.push(out);
    }
  }
  return { identical: files.length === 0, files, compared: paths.length };
}

const hex = (n: number) => `0x${n.toString(16)}`;

export function renderDiff(d: NarDiff, maxRanges = 8): string {
  if (d.identical) return `identical (${d.compared} entries)\n`;
  const lines: string[] = [];
  for (const f of d.files) {
    const name = f.path ? printable(f.path) : '(root)';
    if (f.change !== 'content') {
      lines.push(`${f.change.padEnd(10)} ${name}${f.detail ? `  ${printable(f.detail)}` : ''}`);
      continue;
    }
    lines.push(
      `content    ${name}  ${f.sizes![0]} → ${f.sizes![1]} bytes, ${f.differingBytes} differ in ${f.ranges!.length} range(s)`,
    );
    for (const r of f.ranges!.slice(0, maxRanges))
      lines.push(
        `             ${hex(r.start)}..${hex(r.end)} (${r.end - r.start} bytes)${r.sections?.length ? `  ${printable(r.sections.join(', '))}` : ''}`,
      );
    if (f.ranges!.length > maxRanges) lines.push(`             … ${f.ranges!.length - maxRanges} more`);
    if (f.elfSections?.length)
      lines.push(`             ELF sections: ${printable(f.elfSections.join(', '))}`);
    if (f.machO) {
      if (f.machO.error) lines.push(`             Mach-O: ${f.machO.error}`);
      for (const [side, cds] of [
        ['A', f.machO.a],
        ['B', f.machO.b],
      ] as const) {
        for (const cd of cds) {
          const bad = cd.mismatches.map((m) => `slot ${m.slot} @${hex(m.offset)}`).join(', ');
          lines.push(
            `             Mach-O ${side}: ${cd.mismatches.length}/${cd.nCodeSlots} page hash mismatches (pageSize ${cd.pageSize}, codeLimit ${cd.codeLimit}, id ${printable(cd.identifier)})${bad ? `: ${bad}` : ''}`,
          );
        }
      }
    }
  }
  return `${lines.join('\n')}\n`;
}
