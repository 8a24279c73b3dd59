// Differences between two opened initrds: added, removed and changed entries, systemd units first.
import type { Archive, CpioEntry } from './archive';

export interface Change {
  path: string;
  kind: 'added' | 'removed' | 'changed';
  /** What changed: "content", "size 10 → 12", "mode 644 → 755", "target a → b", "type file → symlink". */
  detail?: string;
  /** The entry type on the side(s) where it exists. */
  type: string;
  /** True for changed regular files whose both sides look like text (for a diff editor). */
  text?: boolean;
  /** A systemd unit (under a `systemd/system/` directory): units come first, and views group them. */
  unit: boolean;
}

export interface DiffResult {
  changes: Change[];
}

const UNIT = /\/systemd\/system\//;

function isText(b: Buffer): boolean {
  return !b.subarray(0, 8192).includes(0);
}

async function sameContent(a: Archive, ea: CpioEntry, b: Archive, eb: CpioEntry): Promise<boolean> {
  const step = 8 << 20;
  for (let off = 0; off < ea.size; off += step) {
    const [x, y] = await Promise.all([
      a.readEntry(ea, { start: off, end: off + step }),
      b.readEntry(eb, { start: off, end: off + step }),
    ]);
    if (!x.equals(y)) return false;
  }
  return true;
}

export async function diffArchives(
  a: Archive,
  b: Archive,
  opts: { signal?: AbortSignal } = {},
): Promise<DiffResult> {
  const changes: Change[] = [];
  const real = (e: CpioEntry) => e.segment >= 0;
  let n = 0;
  for (const ea of a.entries) {
    if (++n % 200 === 0 && opts.signal?.aborted) throw new Error('cancelled');
    const eb = b.get(ea.path);
    if (!eb) {
      if (real(ea)) changes.push({ path: ea.path, kind: 'removed', type: ea.type, unit: UNIT.test(ea.path) });
      continue;
    }
    const details: string[] = [];
    if (ea.type !== eb.type) details.push(`type ${ea.type} → ${eb.type}`);
    else {
      if (ea.type === 'dir' && (!real(ea) || !real(eb))) continue;
      if (ea.mode !== eb.mode) details.push(`mode ${ea.mode.toString(8)} → ${eb.mode.toString(8)}`);
      if (ea.uid !== eb.uid || ea.gid !== eb.gid)
        details.push(`owner ${ea.uid}:${ea.gid} → ${eb.uid}:${eb.gid}`);
      if (ea.type === 'symlink' && ea.target !== eb.target)
        details.push(`target ${ea.target} → ${eb.target}`);
      if ((ea.type === 'char' || ea.type === 'block') && String(ea.rdev) !== String(eb.rdev))
        details.push(`device ${ea.rdev} → ${eb.rdev}`);
      if (ea.type === 'file') {
        if (ea.size !== eb.size) details.push(`size ${ea.size} → ${eb.size}`);
        else if (!(await sameContent(a, ea, b, eb))) details.push('content');
      }
    }
    if (details.length) {
      const c: Change = {
        path: ea.path,
        kind: 'changed',
        type: eb.type,
        detail: details.join(', '),
        unit: UNIT.test(ea.path),
      };
      if (ea.type === 'file' && eb.type === 'file' && ea.size < 16 << 20 && eb.size < 16 << 20) {
        const [x, y] = await Promise.all([
          a.readEntry(ea, { start: 0, end: 8192 }),
          b.readEntry(eb, { start: 0, end: 8192 }),
        ]);
        c.text = isText(x) && isText(y);
      }
      changes.push(c);
    }
  }
  for (const eb of b.entries)
    if (!a.get(eb.path) && real(eb))
      changes.push({ path: eb.path, kind: 'added', type: eb.type, unit: UNIT.test(eb.path) });
  changes.sort((x, y) => {
    const ux = x.unit ? 0 : 1;
    const uy = y.unit ? 0 : 1;
    return ux - uy || (x.path < y.path ? -1 : x.path > y.path ? 1 : 0);
  });
  return { changes };
}
