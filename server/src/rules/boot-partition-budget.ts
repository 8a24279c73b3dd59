// Rule boot-partition-budget: the boot loader may keep more generations' kernels and initrds in
// /boot than the partition holds, judged from the host's configuration and what was measured on
// the machine (RuleContext.system: nixboot.systemRoot, `nixboot lint --root`). Without a
// measurement, or when the measurement is not of this host's /boot, it says nothing.
import { copiedPrefix, priorityOf, siblingInsert, type Located } from '../nixos/options-query';
import type { MeasuredSystem } from '../system/bootBudget';
import { fmtBytes, ROOM_FOR_CAP } from '../text';
import type { Fix, ProjectModel, Rule, RuleContext } from './types';
import { absence, isNull, literalBool, literalInt, literalString, plural } from './util';
import { MIN_GENERATIONS } from './rollback-generation-limit';

export type CopyingLoader = 'systemd-boot' | 'grub' | 'extlinux';

const OPTION: Record<CopyingLoader, string> = {
  'systemd-boot': 'systemd-boot',
  grub: 'grub',
  extlinux: 'generic-extlinux-compatible',
};

const NAME: Record<CopyingLoader, string> = {
  'systemd-boot': 'systemd-boot',
  grub: 'GRUB',
  extlinux: 'extlinux',
};

/** `configurationLimit` defaults (nixpkgs grub.nix 100, generic-extlinux-compatible 20; systemd-boot null = no limit). */
const DEFAULT_LIMIT: Record<CopyingLoader, number | null> = { 'systemd-boot': null, grub: 100, extlinux: 20 };

/**
 * Loaders that take /boot over from these three (or write their own entries): with any of them set,
 * what the measurement shows is not what this rule knows how the loader fills.
 */
const OTHER_LOADERS = [
  'boot.lanzaboote.enable',
  'boot.loader.limine.enable',
  'boot.loader.refind.enable',
  'boot.loader.external.enable',
  'boot.isContainer',
];

/** The value an option ends up with, from the definitions the linter can read. */
type Effective =
  /** `certain`: the host was read whole, so the option is at its default. */
  | { readonly kind: 'unset'; readonly certain: boolean }
  | { readonly kind: 'unknown' }
  | {
      readonly kind: 'set';
      readonly at: Located;
      readonly bool?: boolean;
      readonly int?: number;
      readonly str?: string;
      readonly isNull: boolean;
    };

/**
 * The winning definition of `dotted` by module priority; unknown when a definition is conditional,
 * has an unknown priority, is not a literal, or equal-priority definitions disagree (an evaluation
 * error). Unset with no definition and no parent set copied from elsewhere; `certain` when the
 * host was read whole (nothing it includes could set it).
 */
function effective(project: ProjectModel, dotted: string): Effective {
  const defs = project.definitions(dotted);
  if (defs.length === 0)
    return copiedPrefix(project, dotted)
      ? { kind: 'unknown' }
      : { kind: 'unset', certain: absence(project).kind === 'certain' };
  if (defs.some(({ def }) => def.conditional || priorityOf(def) === undefined)) return { kind: 'unknown' };
  const best = Math.min(...defs.map(({ def }) => priorityOf(def)!));
  const winners = defs.filter(({ def }) => priorityOf(def) === best);
  const values = winners.map(({ def }) => ({
    bool: literalBool(def.value),
    int: literalInt(def.value),
    str: literalString(def.value),
    isNull: isNull(def.value),
  }));
  const key = (v: (typeof values)[number]) => JSON.stringify(v);
  const v = values[0]!;
  if (v.bool === undefined && v.int === undefined && v.str === undefined && !v.isNull)
    return { kind: 'unknown' };
  if (values.some((x) => key(x) !== key(v))) return { kind: 'unknown' };
  return {
    kind: 'set',
    at: winners[0]!,
    ...(v.bool !== undefined ? { bool: v.bool } : {}),
    ...(v.int !== undefined ? { int: v.int } : {}),
    ...(v.str !== undefined ? { str: v.str } : {}),
    isNull: v.isNull,
  };
}

/**
 * The loader the host enables, with the definition a finding about it goes on; undefined when
 * unsure. The measurement must then show the same loader writing its entries in /boot.
 */
function configuredLoader(project: ProjectModel): { kind: CopyingLoader; anchor?: Located } | undefined {
  for (const o of OTHER_LOADERS) {
    const e = effective(project, o);
    if (e.kind === 'unknown' || (e.kind === 'set' && e.bool !== false)) return undefined;
  }
  const state = (k: CopyingLoader) => effective(project, `boot.loader.${OPTION[k]}.enable`);
  const sd = state('systemd-boot');
  const ext = state('extlinux');
  const grub = state('grub');
  if ([sd, ext, grub].some((e) => e.kind === 'unknown')) return undefined;
  const on = (e: Effective) => e.kind === 'set' && e.bool === true;
  const enabled = (['systemd-boot', 'extlinux', 'grub'] as const).filter((k) =>
    on({ 'systemd-boot': sd, extlinux: ext, grub }[k]),
  );
  if (enabled.length > 1) return undefined;
  const only = enabled[0];
  if (only) {
    const e = { 'systemd-boot': sd, extlinux: ext, grub }[only];
    return { kind: only, ...(e.kind === 'set' ? { anchor: e.at } : {}) };
  }
  // GRUB is on by default (grub.nix: `default = !config.boot.isContainer`); a finding then goes on
  // its device setting, the one GRUB option such a host writes.
  if (grub.kind === 'unset' && grub.certain && sd.kind === 'unset' && ext.kind === 'unset') {
    const dev = [
      ...project.definitions('boot.loader.grub.devices'),
      ...project.definitions('boot.loader.grub.device'),
    ][0];
    return { kind: 'grub', ...(dev ? { anchor: dev } : {}) };
  }
  return undefined;
}

/**
 * Whether the measured system is this host: the newest generation's toplevel is named
 * `nixos-system-<system.name>-<label>` (nixpkgs top-level.nix), and `system.name` is
 * `networking.hostName` ("unnamed" when empty) unless set. A host that names itself with a literal
 * is matched by that name. The default name "nixos" is shared by countless machines (and a host
 * built by a helper the linter cannot follow may be named by it), so a host relying on it is the
 * measured system only when its file is in that system's own configuration directory (/etc/nixos).
 */
function isMeasuredHost(project: ProjectModel, system: MeasuredSystem, file: string): boolean {
  if (!system.toplevelName) return false;
  let names: string[];
  const sysName = effective(project, 'system.name');
  if (sysName.kind === 'unknown') return false;
  if (sysName.kind === 'set') {
    if (sysName.str === undefined) return false;
    names = [sysName.str];
  } else {
    const host = effective(project, 'networking.hostName');
    if (
      host.kind === 'unknown' ||
      (host.kind === 'set' && host.str === undefined) ||
      (host.kind === 'unset' && !host.certain)
    )
      return false;
    // The default host name is "nixos" (network-interfaces.nix).
    // /etc/nixos as written or with its symlinks resolved (often a link to a checkout).
    const own = [system.configDir, `${system.root.replace(/\/+$/, '')}/etc/nixos`].filter(
      (d): d is string => d !== undefined,
    );
    if (host.kind === 'unset' && !own.some((d) => file.startsWith(`${d.replace(/\/+$/, '')}/`))) return false;
    const h = host.kind === 'set' ? host.str! : 'nixos';
    names = [h === '' ? 'unnamed' : h];
  }
  return names.some((n) => system.toplevelName!.startsWith(`nixos-system-${n}-`));
}

/**
 * Where the loader copies kernels and initrds, as the system sees it; undefined when unknown. An
 * option left at its default counts as the default even on a host not read whole: the measurement
 * found the loader's entries for the newest generation there.
 */
function copyTarget(project: ProjectModel, kind: CopyingLoader): string | undefined {
  if (kind !== 'systemd-boot') {
    // GRUB mirrors copy to every mirrored boot path: the measured one is only one of them.
    if (
      kind === 'grub' &&
      (project.definitions('boot.loader.grub.mirroredBoots').length > 0 ||
        copiedPrefix(project, 'boot.loader.grub.mirroredBoots'))
    )
      return undefined;
    return '/boot';
  }
  // systemd-boot-builder.py copies into BOOT_MOUNT_POINT: xbootldrMountPoint, else efiSysMountPoint.
  const xb = effective(project, 'boot.loader.systemd-boot.xbootldrMountPoint');
  if (xb.kind === 'unknown' || (xb.kind === 'set' && !xb.isNull && xb.str === undefined)) return undefined;
  if (xb.kind === 'set' && xb.str !== undefined) return xb.str;
  const esp = effective(project, 'boot.loader.efi.efiSysMountPoint');
  if (esp.kind === 'unknown' || (esp.kind === 'set' && esp.str === undefined)) return undefined;
  return esp.kind === 'set' ? esp.str : '/boot';
}

/** The limit in effect: a number, null for none (systemd-boot), or undefined when unknown. */
function limitOf(
  project: ProjectModel,
  kind: CopyingLoader,
): { value: number | null; at?: Located } | undefined {
  const e = effective(project, `boot.loader.${OPTION[kind]}.configurationLimit`);
  if (e.kind === 'unknown') return undefined;
  if (e.kind === 'unset') return e.certain ? { value: DEFAULT_LIMIT[kind] } : undefined;
  if (e.isNull) return kind === 'systemd-boot' ? { value: null, at: e.at } : undefined;
  if (e.int === undefined) return undefined;
  // systemd-boot-builder.py keeps `configurations[-limit:]`: 0 keeps all, a negative number drops the oldest instead.
  if (kind === 'systemd-boot')
    return e.int === 0 ? { value: null, at: e.at } : e.int > 0 ? { value: e.int, at: e.at } : undefined;
  return { value: e.int, at: e.at };
}

export interface BudgetJudgement {
  /** Generations whose kernel and initrd the loader may need in /boot at once (its peak). */
  readonly needed: number;
  readonly message: string;
  /** The largest configurationLimit whose peak fits, when it keeps at least MIN_GENERATIONS. */
  readonly suggestedLimit?: number;
}

/**
 * Whether a loader keeping `limit` generations (null: all) outgrows a /boot of this budget. The one
 * judgement: the rule's findings and the ⚠ on the configurationLimit code lens both come from it.
 * systemd-boot removes old entries before it copies the new generation (systemd-boot-builder.py:
 * remove_old_entries, then write_entry), so it needs room for `limit` generations; GRUB
 * (install-grub.pl) and extlinux (extlinux-conf-builder.sh) copy first and remove obsolete files
 * last, so they need room for one more.
 */
export function judgeBudget(
  budget: MeasuredSystem['budget'],
  kind: CopyingLoader,
  limit: number | null,
  generations: number,
  /** The limit is written in the configuration (false: the loader's default). */
  written = true,
): BudgetJudgement | undefined {
  const { fits, roomFor, nextGenerationBytes: each } = budget;
  if (!budget.copies || budget.loader !== kind || fits === undefined || roomFor === undefined || !(each > 0))
    return undefined;
  if (fits >= ROOM_FOR_CAP) return undefined; // ample
  const usable = budget.usedByGenerations + (budget.freeBytes ?? 0);
  const sizes = `${fmtBytes(each)} kernel + initrd each; ${fmtBytes(usable)} for copies: ${fmtBytes(budget.usedByGenerations)} in use, ${fmtBytes(budget.freeBytes ?? 0)} free`;
  const copiesFirst = kind !== 'systemd-boot';
  const maxLimit = copiesFirst ? fits - 1 : fits;
  const suggestion = maxLimit >= MIN_GENERATIONS ? { suggestedLimit: maxLimit } : {};
  const remedy =
    maxLimit >= MIN_GENERATIONS
      ? `Keep at most ${maxLimit}, or make the initrd smaller or the partition larger.`
      : `Not even ${MIN_GENERATIONS} generations fit: make the initrd smaller (large-initrd-contents) or the partition larger.`;
  if (limit === null) {
    if (roomFor >= MIN_GENERATIONS) return undefined;
    return {
      needed: generations + 1,
      message:
        `${NAME[kind]} has no configurationLimit: it keeps the kernel and initrd of every generation in the profile (${generations} now) in /boot, ` +
        `and its free space holds ${roomFor === 0 ? 'no' : `only ${roomFor}`} more of the current size (${sizes}). ` +
        (roomFor === 0
          ? 'The next rebuild that changes the kernel or initrd fails'
          : `After ${plural(roomFor, 'more rebuild')} that ${roomFor === 1 ? 'changes' : 'change'} the kernel or initrd, the next such rebuild fails`) +
        ' to install the boot loader ("No space left on device"), ' +
        `and freeing /boot then means deleting generations. ${remedy}`,
      ...suggestion,
    };
  }
  const kept = Math.max(limit, 1);
  const needed = copiesFirst ? kept + 1 : kept;
  if (fits >= needed) return undefined;
  return {
    needed,
    message:
      (written
        ? `configurationLimit = ${limit} lets ${NAME[kind]} keep ${plural(kept, 'generation')} in /boot`
        : `${NAME[kind]} keeps ${plural(kept, 'generation')} in /boot by default (no configurationLimit is set)`) +
      (copiesFirst
        ? `, and it copies the new generation before removing the oldest: ${needed} at once`
        : '') +
      `, but /boot holds about ${plural(fits, 'generation')} of the current size (${sizes}). ` +
      `After enough rebuilds that change the kernel or initrd, installing the boot loader fails ("No space left on device"). ${remedy}`,
    ...suggestion,
  };
}

function report(
  ctx: RuleContext,
  at: Located,
  kind: CopyingLoader,
  j: BudgetJudgement,
  how: 'replace' | 'insert',
): void {
  if (at.file.path !== ctx.file.path) return; // reported in its own file
  const def = at.def;
  const fixes: Fix[] = [];
  if (j.suggestedLimit !== undefined) {
    const edit =
      how === 'replace'
        ? { start: def.value.start, end: def.value.end, newText: String(j.suggestedLimit) }
        : siblingInsert(
            ctx.file,
            def,
            ['boot', 'loader', OPTION[kind], 'configurationLimit'],
            String(j.suggestedLimit),
          );
    if (edit)
      fixes.push({
        title: `Keep ${j.suggestedLimit} generations (what /boot holds at the current size)`,
        edits: [edit],
        safe: false,
        preferred: true,
      });
  }
  const range = how === 'replace' ? def.value : { start: def.binding.start, end: def.value.end };
  ctx.report({ start: range.start, end: range.end, message: j.message, fixes });
}

export const rule: Rule = {
  id: 'boot-partition-budget',
  severity: 'warning',
  title: 'The boot loader may keep more generations than /boot holds',
  docs: {
    summary:
      "The boot loader copies each generation's kernel and initrd into /boot, and its `configurationLimit` (or the lack of one) " +
      'lets it keep more of them than the measured partition holds at the current size.',
    why:
      "systemd-boot, extlinux and GRUB with a separate /boot copy every generation's kernel and initrd into /boot. " +
      'When the limit lets them keep more than fit, a rebuild that brings a new kernel or initrd fails to install the boot loader ' +
      'with "No space left on device", and the usual way out is deleting generations — seed 001: a /boot under 1 GB filled ' +
      'by initrd experiments, every rollback generation wiped to free it, then the next generation did not boot and nothing was left ' +
      'to roll back to. The rule needs a measurement of the machine: in the editor the system of `nixboot.systemRoot` (default `/`), ' +
      'on the command line `nixboot lint --root DIR` (`/` for this machine). It judges a host only when that system is the host ' +
      '(its newest generation is named `nixos-system-<networking.hostName>-…` with the host name written as a literal, or the ' +
      "default `nixos` for files in that system's own /etc/nixos), the host enables the loader found in /boot, and " +
      "every file the boot entries load was found and measured; it estimates a generation by the newest one's kernel + initrd " +
      'and says nothing when /boot holds 100 or more of those. Without a measurement it says nothing.',
    bad:
      '# /boot: 512 MiB, 80 MiB kernel + initrd per generation (measured)\n' +
      'boot.loader.systemd-boot.enable = true;\n' +
      'boot.loader.systemd-boot.configurationLimit = 20;',
    good: 'boot.loader.systemd-boot.enable = true;\nboot.loader.systemd-boot.configurationLimit = 6;',
    fix:
      "Lower `configurationLimit` to what /boot holds (the quick fix sets it, or adds it beside the loader's `enable`; not applied by " +
      '`--fix`, since it removes menu entries at the next rebuild), shrink the initrd (`large-initrd-contents`), or grow the partition. ' +
      'When not even 3 generations fit, no quick fix is offered: cutting rollbacks below 3 trades one incident for another ' +
      '(`rollback-generation-limit`).',
    references: [
      'nixpkgs nixos/modules/system/boot/loader/systemd-boot/systemd-boot-builder.py (copy_from_file into EFI/nixos; remove_old_entries before write_entry; configurationLimit 0 = all)',
      'nixpkgs nixos/modules/system/boot/loader/systemd-boot/systemd-boot.nix (configurationLimit default null; xbootldrMountPoint, efiSysMountPoint)',
      "nixpkgs nixos/modules/system/boot/loader/grub/install-grub.pl (copyKernels when /boot is not on the store's file system; obsolete files removed after copying)",
      'nixpkgs nixos/modules/system/boot/loader/grub/grub.nix (configurationLimit default 100, copyKernels)',
      'nixpkgs nixos/modules/system/boot/loader/generic-extlinux-compatible/extlinux-conf-builder.sh (copies into /boot/nixos, removes after) and default.nix (configurationLimit default 20)',
      'nixpkgs nixos/modules/system/activation/top-level.nix (toplevel name nixos-system-${system.name}-${label}; system.name from networking.hostName)',
      'seed 001 (a full /boot, every rollback generation wiped)',
    ],
  },
  check(ctx) {
    const system = ctx.system;
    if (!system?.newestHasEntry) return;
    const project = ctx.project;
    if (!project.host.placed) return;
    const loader = configuredLoader(project);
    if (!loader || loader.kind !== system.budget.loader) return;
    if (copyTarget(project, loader.kind) !== system.bootMountPoint) return;
    if (!isMeasuredHost(project, system, ctx.file.path)) return;
    const limit = limitOf(project, loader.kind);
    if (!limit) return;
    const j = judgeBudget(
      system.budget,
      loader.kind,
      limit.value,
      system.generations,
      limit.at !== undefined,
    );
    if (!j) return;
    if (limit.at) report(ctx, limit.at, loader.kind, j, 'replace');
    else if (loader.anchor) report(ctx, loader.anchor, loader.kind, j, 'insert');
  },
};
