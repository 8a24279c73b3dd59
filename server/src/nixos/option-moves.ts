// When NixOS renamed or removed a boot option. option-facts.json says *that* an option was
// renamed or removed (from the `mkRenamedOptionModule`/`mkRemovedOptionModule` imports of a
// 2026 nixpkgs), not *when*: a configuration pinned to a nixpkgs from before the change uses the
// name that was current then, and neither warns nor fails. Each entry below was checked against
// the nixpkgs pull request that made the change (and, where named, the release it first shipped
// in); an option with no entry has no known date, and the unknown-boot-option rule says less
// about it (a hint).
//
// - notBefore: the day the change was proposed (the pull request was opened, or the earliest
//   review that shows it): a nixpkgs older than this cannot have it.
// - release: the first NixOS release that has it (a stable pin of this release or later has it).
// - by: a day by which nixpkgs master certainly had it (when known more precisely than the
//   release): an unstable pin from that day on has it.
import type { Release } from './release';

export interface OptionMove {
  readonly notBefore: string;
  readonly release?: string;
  readonly by?: string;
  /** Where the date comes from. */
  readonly ref: string;
}

const TMP: OptionMove = {
  notBefore: '2022-12-04',
  release: '23.05',
  ref: 'nixpkgs#204534 (nixos/tmp: move /tmp options under boot.tmp), 23.05 release notes',
};
const SWRAID: OptionMove = {
  notBefore: '2023-07-14',
  release: '23.11',
  ref: 'nixpkgs#183314 and its follow-up adding the renames (boot.initrd.services.swraid → boot.swraid), in 23.11',
};

const OPTION_MOVES: Readonly<Record<string, OptionMove>> = {
  'boot.cleanTmpDir': TMP,
  'boot.tmpOnTmpfs': TMP,
  'boot.tmpOnTmpfsSize': TMP,
  'boot.initrd.services.swraid.enable': SWRAID,
  'boot.initrd.services.swraid.mdadmConf': SWRAID,
  'boot.initrd.network.ssh.hostRSAKey': {
    notBefore: '2020-03-14',
    ref: 'nixpkgs#82603 (nixos/initrd-ssh: switch from Dropbear to OpenSSH)',
  },
  'boot.initrd.network.ssh.hostECDSAKey': {
    notBefore: '2020-03-14',
    ref: 'nixpkgs#82603 (nixos/initrd-ssh: switch from Dropbear to OpenSSH)',
  },
  'boot.initrd.network.ssh.hostDSSKey': {
    notBefore: '2020-03-14',
    ref: 'nixpkgs#82603 (nixos/initrd-ssh: switch from Dropbear to OpenSSH)',
  },
  'boot.initrd.systemd.strip': {
    notBefore: '2025-05-05',
    ref: 'nixpkgs#404512 (nixos/systemd-initrd: deprecate strip)',
  },
  'boot.zfs.allowHibernation': { notBefore: '2026-05-03', ref: 'nixpkgs#495581 (nixos/zfs: less footguns)' },
  'boot.bootspec.enable': {
    notBefore: '2026-06-09',
    by: '2026-06-17',
    ref: 'nixpkgs#530066 (nixos/bootspec: remove enable option); configurations failed on it by 2026-06-17',
  },
};

export type MoveVerdict =
  /** The pinned nixpkgs has the change: the rename warns, the removal fails. */
  | { readonly kind: 'has'; readonly why: string }
  /** The pinned nixpkgs predates it: the name is still the current one. */
  | { readonly kind: 'predates'; readonly why: string }
  /** Cannot tell (no date for the change, no pin, or a pin inside the weeks the change was made). */
  | { readonly kind: 'unknown'; readonly why: string };

function releaseNumber(label: string): number | undefined {
  const m = /^(\d{2})\.(\d{2})$/.exec(label);
  return m ? Number(m[1]) * 100 + Number(m[2]) : undefined;
}

/** The last day of a release's month: a stable branch was cut by then (renames are not backported). */
function releaseEnd(year: number, month: number): string {
  const last = new Date(Date.UTC(2000 + year, month, 0)).getUTCDate();
  return `20${String(year).padStart(2, '0')}-${String(month).padStart(2, '0')}-${last}`;
}

/** Whether the nixpkgs a host is pinned to has a rename/removal. */
export function moveVerdict(dotted: string, pinned: Release | undefined): MoveVerdict {
  const move = OPTION_MOVES[dotted];
  if (!move) return { kind: 'unknown', why: 'when NixOS made this change is not recorded' };
  const when = `${move.release ? `NixOS ${move.release}, ` : ''}${move.ref}`;
  if (!pinned)
    return { kind: 'unknown', why: `the NixOS release of this host is unknown (the change: ${when})` };
  if (pinned.date) {
    // An unstable or fork pin, dated by the lock.
    if (pinned.date < move.notBefore)
      return { kind: 'predates', why: `the pin (${pinned.label}) predates the change (${when})` };
    const by =
      move.by ??
      (move.release
        ? releaseEnd(Number(move.release.slice(0, 2)), Number(move.release.slice(3, 5)))
        : undefined);
    if (by && pinned.date >= by)
      return { kind: 'has', why: `the pin (${pinned.label}) is newer than the change (${when})` };
    return {
      kind: 'unknown',
      why: `the pin (${pinned.label}) is from about the time of the change (${when})`,
    };
  }
  if (pinned.year === 99)
    return { kind: 'has', why: 'the nixboot.nixosRelease setting says unstable (taken as current)' };
  const n = pinned.year * 100 + pinned.month;
  const first = move.release ? releaseNumber(move.release) : undefined;
  if (first !== undefined) {
    return n >= first
      ? { kind: 'has', why: `NixOS ${pinned.label} has it (${when})` }
      : { kind: 'predates', why: `NixOS ${pinned.label} predates it (${when})` };
  }
  if (releaseEnd(pinned.year, pinned.month) < move.notBefore)
    return { kind: 'predates', why: `NixOS ${pinned.label} predates it (${when})` };
  return { kind: 'unknown', why: `whether NixOS ${pinned.label} has it is not recorded (${when})` };
}
