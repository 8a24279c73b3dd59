// The /boot budget: free space on the boot partition, what each generation puts there and how many
// more generations fit. systemd-boot copies one file per distinct kernel/initrd store path into
// EFI/nixos (shared files once); GRUB copies into /boot/kernels only when /boot is another file
// system than the store; extlinux copies into /boot/nixos.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Generation, GenerationsReport } from './generations';

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
  /** Estimate for the next generation: the newest generation's kernel + initrd. */
  readonly nextGenerationBytes: number;
  /** How many more generations of that size fit in the free space (undefined: unknown/unlimited). */
  readonly roomFor?: number;
  readonly entries: number;
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
  const copies = boot.loader === 'systemd-boot' || (boot.loader === 'grub' && !sameFs(boot.bootDir, store)) || boot.loader === 'extlinux';
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
  const withEntry = report.generations.filter((g) => g.bootEntry !== false);
  const users = new Map<string, number>();
  for (const g of withEntry) for (const f of [g.kernel, g.initrd]) if (f) users.set(f.path, (users.get(f.path) ?? 0) + 1);
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
  if (copies) {
    const files = new Set(boot.entries.flatMap((e) => e.files));
    let onDisk = 0;
    let found = 0;
    for (const f of files) {
      try {
        onDisk += fs.statSync(path.join(boot.bootDir, f)).size;
        found++;
      } catch {
        /* not in /boot (e.g. GRUB reading the store) */
      }
    }
    if (found > 0) used = onDisk;
  }
  const newest = report.generations[report.generations.length - 1];
  const nextGenerationBytes = copies && newest ? sizeOf(newest) : 0;
  const roomFor = freeBytes !== undefined && nextGenerationBytes > 0 ? Math.floor(freeBytes / nextGenerationBytes) : undefined;
  return {
    loader: boot.loader,
    bootDir: boot.bootDir,
    copies,
    freeBytes,
    totalBytes,
    usedByGenerations: copies ? used : 0,
    perGeneration,
    nextGenerationBytes,
    roomFor,
    entries: boot.entries.filter((e) => !e.specialisation).length,
  };
}

export interface GenerationWarning {
  readonly kind: 'one-generation' | 'fewer-entries' | 'boot-full';
  readonly message: string;
}

export function generationWarnings(report: GenerationsReport, budget: BootBudget): GenerationWarning[] {
  const out: GenerationWarning[] = [];
  const n = report.generations.length;
  if (n === 1) out.push({ kind: 'one-generation', message: 'Only one generation is left: there is nothing to roll back to.' });
  if (report.boot.loader !== 'none' && budget.entries < n)
    out.push({ kind: 'fewer-entries', message: `The boot loader has ${budget.entries} entr${budget.entries === 1 ? 'y' : 'ies'} for ${n} generations: older ones cannot be picked at boot.` });
  if (budget.roomFor === 0)
    out.push({ kind: 'boot-full', message: `${budget.bootDir} has ${fmtBytes(budget.freeBytes ?? 0)} free; the next generation needs about ${fmtBytes(budget.nextGenerationBytes)}.` });
  return out;
}

export interface BootBudgetFacts {
  /** Generations in the profile. */
  readonly generations: number;
  readonly budget: BootBudget;
}

export interface BootBudgetFinding {
  /** Offsets into the text. */
  readonly start: number;
  readonly end: number;
  readonly message: string;
  readonly severity: 'error' | 'warning' | 'information';
}

/** `configurationLimit = N;` definitions in a Nix file (offsets of the value), by a text scan. */
export function findConfigurationLimits(text: string): { start: number; end: number; value: number; loader: string }[] {
  const out: { start: number; end: number; value: number; loader: string }[] = [];
  const re = /((?:systemd-boot|grub|generic-extlinux-compatible)\s*\.\s*)?configurationLimit\s*=\s*(\d+)\s*;/g;
  for (let m; (m = re.exec(text)); ) {
    const before = text.slice(0, m.index);
    if (/#[^\n]*$/.test(before)) continue; // commented out
    const valueStart = m.index + m[0].lastIndexOf(m[2]!);
    const loader = m[1]?.replace(/\s*\.\s*$/, '') ?? (/(systemd-boot|grub|generic-extlinux-compatible)\s*(?:=\s*\{|\.)[^]*$/.exec(before.slice(-400))?.[1] ?? 'unknown');
    out.push({ start: valueStart, end: valueStart + m[2]!.length, value: Number(m[2]), loader });
  }
  return out;
}

/**
 * Warns where `configurationLimit` generations of the current size cannot fit in /boot.
 * Plain findings (offsets) for the linter to merge into its diagnostics.
 */
export function bootBudgetFindings(
  text: string,
  facts: BootBudgetFacts,
  /** `configurationLimit` values found by an option-path resolver; the text scan when absent. */
  limits: readonly { start: number; end: number; value: number }[] = findConfigurationLimits(text),
): BootBudgetFinding[] {
  const { budget } = facts;
  if (!budget.copies || budget.nextGenerationBytes <= 0 || budget.totalBytes === undefined) return [];
  const findings: BootBudgetFinding[] = [];
  for (const l of limits) {
    // Room on the partition for copies: what they use now plus what is free.
    const capacity = budget.usedByGenerations + (budget.freeBytes ?? 0);
    const fits = Math.floor(capacity / budget.nextGenerationBytes);
    if (l.value > fits)
      findings.push({
        start: l.start,
        end: l.end,
        severity: 'warning',
        message: `configurationLimit = ${l.value}, but ${budget.bootDir.endsWith('/boot') ? '/boot' : budget.bootDir} only has room for about ${fits} generation${fits === 1 ? '' : 's'} of the current size (${fmtBytes(budget.nextGenerationBytes)} kernel + initrd each, ${fmtBytes(capacity)} usable).`,
      });
  }
  return findings;
}

/**
 * Beyond this many generations "room for N more" says nothing a user plans with, and N only
 * jitters with every write to the file system /boot is on (a /boot on the root file system, or
 * tiny test images, give millions): it is shown as "room for 100+ more".
 */
const ROOM_FOR_CAP = 100;

/** "room for 3 more", "room for 100+ more", or undefined when unknown or when nothing is copied. */
export function describeRoom(budget: Pick<BootBudget, 'roomFor'>): string | undefined {
  if (budget.roomFor === undefined) return undefined;
  return budget.roomFor >= ROOM_FOR_CAP ? `room for ${ROOM_FOR_CAP}+ more` : `room for ${budget.roomFor} more`;
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

export function fmtBytes(n: number): string {
  const u = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  let v = n;
  while (Math.abs(v) >= 1024 && i < u.length - 1) {
    v /= 1024;
    i++;
  }
  return `${i === 0 ? v : v.toFixed(1)} ${u[i]}`;
}
