// The /boot budget: free space on the boot partition, what each generation puts there and how many
// more generations fit. systemd-boot copies one file per distinct kernel/initrd store path into
// EFI/nixos (shared files once); GRUB copies into /boot/kernels only when /boot is another file
// system than the store (or `copyKernels`); extlinux copies into /boot/nixos. The counts here
// (`roomFor`, `fits`) are the only ones: the Generations view, `nixboot generations`, the code lenses
// and the boot-partition-budget rule all read them from `bootBudget`.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Generation, GenerationsReport } from './generations';
import { systemPath } from './generations';
import { fmtBytes, ROOM_FOR_CAP } from '../text';

export { fmtBytes };

export interface GenerationBootBytes {
  readonly generation: number;
  /** Kernel + initrd bytes this generation needs in /boot (0 when the loader reads the store). */
  readonly bytes: number;
  /** Of those, bytes not shared with any other generation that has an entry. */
  readonly ownBytes: number;
}

export interface BootBudget {
  readonly loader: GenerationsReport['boot']['loader'];
  readonly bootDir: string;
  /** Whether the loader copies kernels/initrds into /boot. */
  readonly copies: boolean;
  readonly freeBytes?: number;
  readonly totalBytes?: number;
  /** Bytes of the kernel/initrd copies the entries load (shared files once; measured in /boot when present). */
  readonly usedByGenerations: number;
  readonly perGeneration: GenerationBootBytes[];
  /** Estimate for the next generation: the newest generation's kernel + initrd (0 when either size is unknown). */
  readonly nextGenerationBytes: number;
  /** How many more generations of that size fit in the free space (undefined: unknown/unlimited). */
  readonly roomFor?: number;
  /**
   * How many generations of that size the space for copies holds in all (the copies the entries
   * load now plus the free space). Undefined unless every file the entries load was found and
   * measured in /boot and nothing else is copied per generation (extlinux device trees): a count
   * from a partial measurement would be wrong in either direction.
   */
  readonly fits?: number;
  readonly entries: number;
}

/**
 * `roomFor` and `fits` from measured bytes: the one place they are computed. `measured`: every
 * file the boot entries load was found in /boot and counted in `usedByGenerations`.
 */
export function budgetCounts(m: {
  copies: boolean;
  freeBytes?: number;
  usedByGenerations: number;
  nextGenerationBytes: number;
  measured: boolean;
}): { roomFor?: number; fits?: number } {
  if (!m.copies || m.freeBytes === undefined || !(m.nextGenerationBytes > 0)) return {};
  return {
    roomFor: Math.floor(m.freeBytes / m.nextGenerationBytes),
    ...(m.measured ? { fits: Math.floor((m.usedByGenerations + m.freeBytes) / m.nextGenerationBytes) } : {}),
  };
}

function sameFs(a: string, b: string): boolean {
  try {
    return fs.statSync(a).dev === fs.statSync(b).dev;
  } catch {
    return false;
  }
}

export function bootBudget(report: GenerationsReport): BootBudget {
  const { boot } = report;
  const store = path.join(report.root, 'nix', 'store');
  const copies =
    boot.loader === 'systemd-boot' ||
    (boot.loader === 'grub' && !sameFs(boot.bootDir, store)) ||
    boot.loader === 'extlinux';
  let freeBytes: number | undefined;
  let totalBytes: number | undefined;
  try {
    const s = fs.statfsSync(boot.bootDir);
    freeBytes = Number(s.bavail) * Number(s.bsize);
    totalBytes = Number(s.blocks) * Number(s.bsize);
  } catch {
    /* no /boot */
  }
  const sizeOf = (g: Generation) => (g.kernel?.size ?? 0) + (g.initrd?.size ?? 0);
  /** Both sizes known (a garbage-collected kernel or initrd would make the estimate too small). */
  const knownSize = (g: Generation) =>
    g.kernel?.size !== undefined && g.initrd?.size !== undefined ? g.kernel.size + g.initrd.size : 0;
  const withEntry = report.generations.filter((g) => g.bootEntry !== false);
  const users = new Map<string, number>();
  for (const g of withEntry)
    for (const f of [g.kernel, g.initrd]) if (f) users.set(f.path, (users.get(f.path) ?? 0) + 1);
  const seen = new Set<string>();
  let used = 0;
  const perGeneration = report.generations.map((g) => {
    let own = 0;
    for (const f of [g.kernel, g.initrd]) {
      if (!f?.size) continue;
      if ((users.get(f.path) ?? 0) <= 1) own += f.size;
      if (g.bootEntry !== false && !seen.has(f.path)) {
        seen.add(f.path);
        used += f.size;
      }
    }
    return { generation: g.generation, bytes: copies ? sizeOf(g) : 0, ownBytes: copies ? own : 0 };
  });
  // What the entries really load from /boot, when those files are there: measured on disk, so
  // initrd secrets appended to systemd-boot's copies are counted too.
  let measured = false;
  if (copies) {
    const files = new Set(boot.entries.flatMap((e) => e.files));
    let onDisk = 0;
    let found = 0;
    for (const f of files) {
      try {
        const st = fs.statSync(path.join(boot.bootDir, f));
        if (st.isFile()) {
          onDisk += st.size;
          found++;
        }
      } catch {
        /* not in /boot (e.g. GRUB reading the store) */
      }
    }
    if (found > 0) used = onDisk;
    // extlinux copies a generation's whole dtbs directory (FDT/FDTDIR lines): not measured here.
    measured = found > 0 && found === files.size && !boot.entries.some((e) => e.deviceTreeDir);
  }
  const newest = report.generations[report.generations.length - 1];
  const nextGenerationBytes = copies && newest ? knownSize(newest) : 0;
  const { roomFor, fits } = budgetCounts({
    copies,
    freeBytes,
    usedByGenerations: copies ? used : 0,
    nextGenerationBytes,
    measured,
  });
  return {
    loader: boot.loader,
    bootDir: boot.bootDir,
    copies,
    freeBytes,
    totalBytes,
    usedByGenerations: copies ? used : 0,
    perGeneration,
    nextGenerationBytes,
    ...(roomFor !== undefined ? { roomFor } : {}),
    ...(fits !== undefined ? { fits } : {}),
    entries: boot.entries.filter((e) => !e.specialisation).length,
  };
}

/**
 * What the lint rules may know of the machine whose configuration is linted: its /boot budget and
 * which system it is. Plain data (the boot-partition-budget rule reads it; fixtures write it).
 */
export interface MeasuredSystem {
  /** The root it was read under (`/`, `/mnt`). */
  readonly root: string;
  /** The newest generation's toplevel name without its hash, `nixos-system-<system.name>-<label>`. */
  readonly toplevelName?: string;
  /** Generations in the profile. */
  readonly generations: number;
  /** The boot loader in /boot has an entry for the newest generation: it writes there now (not a stale copy of another setup). */
  readonly newestHasEntry: boolean;
  /** The measured boot directory as the system sees it (`/boot`). */
  readonly bootMountPoint: string;
  /**
   * The system's own configuration directory on this machine (`<root>/etc/nixos`, symlinks
   * resolved): a host that does not name itself is this system only when its files are in there.
   */
  readonly configDir?: string;
  readonly budget: BootBudget;
}

export function measuredSystem(
  report: GenerationsReport,
  budget: BootBudget = bootBudget(report),
): MeasuredSystem {
  const newest = report.generations[report.generations.length - 1];
  const base = newest ? path.posix.basename(newest.storePath) : undefined;
  const toplevelName = base && /^[0-9a-df-np-sv-z]{32}-/.test(base) ? base.slice(33) : undefined;
  let configDir: string | undefined;
  try {
    configDir = fs.realpathSync(path.join(report.root, 'etc', 'nixos'));
  } catch {
    configDir = undefined; // none: only hosts that name themselves can be this system
  }
  return {
    root: report.root,
    ...(toplevelName ? { toplevelName } : {}),
    generations: report.generations.length,
    newestHasEntry: newest?.bootEntry === true,
    bootMountPoint: systemPath(report.root, report.boot.bootDir),
    ...(configDir ? { configDir } : {}),
    budget,
  };
}

export interface GenerationWarning {
  readonly kind: 'one-generation' | 'fewer-entries' | 'boot-full';
  readonly message: string;
}

export function generationWarnings(report: GenerationsReport, budget: BootBudget): GenerationWarning[] {
  const out: GenerationWarning[] = [];
  const n = report.generations.length;
  if (n === 1)
    out.push({
      kind: 'one-generation',
      message: 'Only one generation is left: there is nothing to roll back to.',
    });
  if (report.boot.loader !== 'none' && budget.entries < n)
    out.push({
      kind: 'fewer-entries',
      message: `The boot loader has ${budget.entries} entr${budget.entries === 1 ? 'y' : 'ies'} for ${n} generations: older ones cannot be picked at boot.`,
    });
  if (budget.roomFor === 0)
    out.push({
      kind: 'boot-full',
      message: `${budget.bootDir} has ${fmtBytes(budget.freeBytes ?? 0)} free; the next generation needs about ${fmtBytes(budget.nextGenerationBytes)}.`,
    });
  return out;
}

/** `configurationLimit = N;` definitions in a Nix file (offsets of the value), by a text scan. */
export function findConfigurationLimits(
  text: string,
): { start: number; end: number; value: number; loader: string }[] {
  const out: { start: number; end: number; value: number; loader: string }[] = [];
  const re =
    /((?:systemd-boot|grub|generic-extlinux-compatible)\s*\.\s*)?configurationLimit\s*=\s*(\d+)\s*;/g;
  for (let m; (m = re.exec(text));) {
    const before = text.slice(0, m.index);
    if (/#[^\n]*$/.test(before)) continue; // commented out
    const valueStart = m.index + m[0].lastIndexOf(m[2]!);
    const loader =
      m[1]?.replace(/\s*\.\s*$/, '') ??
      /(systemd-boot|grub|generic-extlinux-compatible)\s*(?:=\s*\{|\.)[^]*$/.exec(before.slice(-400))?.[1] ??
      'unknown';
    out.push({ start: valueStart, end: valueStart + m[2]!.length, value: Number(m[2]), loader });
  }
  return out;
}

/** "room for 3 more", "room for 100+ more", or undefined when unknown or when nothing is copied. */
export function describeRoom(budget: Pick<BootBudget, 'roomFor'>): string | undefined {
  if (budget.roomFor === undefined) return undefined;
  return budget.roomFor >= ROOM_FOR_CAP
    ? `room for ${ROOM_FOR_CAP}+ more`
    : `room for ${budget.roomFor} more`;
}

/** One line for views and the CLI: "/boot: 2 entries, 40.0 MiB used, 200.0 MiB free, room for 5 more". */
export function describeBudget(budget: BootBudget): string {
  const room = describeRoom(budget);
  return [
    `/boot: ${budget.entries} entr${budget.entries === 1 ? 'y' : 'ies'}`,
    budget.copies ? `${fmtBytes(budget.usedByGenerations)} used` : 'kernels read from the store',
    ...(budget.freeBytes !== undefined ? [`${fmtBytes(budget.freeBytes)} free`] : []),
    ...(room ? [room] : []),
  ].join(', ');
}
