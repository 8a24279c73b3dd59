// Which stage 1 is in effect: `boot.initrd.systemd.enable` as set in the host's files, else the
// default of the NixOS release (systemd stage 1 is the default from 26.05, nixpkgs#435781). The
// release is read from the pin of the nixpkgs the host is built with:
// - flake.lock: the input whose `lib.nixosSystem` builds the host (`nixpkgs-server`), else
//   `nixpkgs`/`nixos`/`nixpkgs-stable`. A release branch (`nixos-25.11`) names its release; an
//   unstable branch, a fork or a bare revision is dated by the lock's `locked.lastModified` (the
//   commit time of the pinned revision), never assumed to be new.
// - npins (`npins/sources.json`) and niv (`nix/sources.json`): the `nixpkgs`/`nixos` pin's branch
//   or channel name.
// - else the `nixboot.nixosRelease` setting, else unknown.
//
// When did nixos-unstable switch? nixpkgs#435781 made systemd stage 1 the default for 26.05. Its
// merge date is not in our sources; what is: on 2026-04-12 elitak/nixos-infect#267 disables it "to
// avoid the switch to systemd initrd by default breaking things" (already merged), and on
// 2026-05-08 nix-community/srvos#814 calls it "now the upstream default". Unstable pins dated
// before 2026-03-01 are scripted by default, pins from 2026-04-12 on are systemd; in between the
// default is unknown and rules branching on it stay quiet.
import { existsSync } from 'node:fs';
import { readRegularFileSync } from '../files';
import { dirname, join } from 'node:path';

/** First release whose default is systemd stage 1. */
export const SYSTEMD_STAGE1_DEFAULT_FROM = { year: 26, month: 5 };
/** nixos-unstable before this date (ISO day): scripted stage 1 by default. */
const UNSTABLE_SCRIPTED_BEFORE = '2026-03-01';
/** nixos-unstable from this date on: systemd stage 1 by default (see the note above). */
const UNSTABLE_SYSTEMD_FROM = '2026-04-12';

export interface Release {
  readonly year: number;
  readonly month: number;
  /** e.g. "25.11", or "unstable 2024-03-05". */
  readonly label: string;
  /** For unstable and fork pins: the day of the pinned commit (ISO). */
  readonly date?: string;
}

export interface StageOne {
  /** true: systemd stage 1; false: scripted; undefined: unknown. */
  readonly systemd: boolean | undefined;
  readonly source: 'explicit' | 'flake.lock' | 'npins' | 'setting' | 'unknown';
  /** Human-readable reason, used in messages ("set in hosts/a.nix", "NixOS 25.11 from flake.lock"). */
  readonly reason: string;
  readonly release?: Release;
}

/** Parses a branch/ref like `nixos-25.11`, `nixos-25.05-small`, `release-24.11`; undefined for unstable (it needs a date). */
export function parseRelease(ref: string | undefined): Release | undefined {
  if (!ref) return undefined;
  const m = /(?:^|[^\d])(\d{2})\.(\d{2})(?:[^\d]|$)/.exec(ref);
  if (m) return { year: Number(m[1]), month: Number(m[2]), label: `${m[1]}.${m[2]}` };
  return undefined;
}

/** The setting `nixboot.nixosRelease`: a release (`25.11`) or `unstable` (taken as current). */
function parseSetting(v: string | undefined): Release | undefined {
  if (!v) return undefined;
  return (
    parseRelease(v) ??
    (/unstable|master|main/.test(v) ? { year: 99, month: 99, label: 'unstable' } : undefined)
  );
}

/** An unstable or fork pin of the given commit time (Unix seconds): the release it leads to. */
function releaseAt(unixSeconds: number): Release {
  const d = new Date(unixSeconds * 1000);
  const iso = d.toISOString().slice(0, 10);
  const yy = d.getUTCFullYear() % 100;
  const mm = d.getUTCMonth() + 1;
  const [year, month] = mm < 5 ? [yy, 5] : mm < 11 ? [yy, 11] : [yy + 1, 5];
  return { year, month, label: `unstable ${iso}`, date: iso };
}

/** Whether the release defaults to systemd stage 1 (undefined: a pin inside the uncertain weeks). */
export function systemdByDefault(r: Release): boolean | undefined {
  if (r.date) {
    if (r.date < UNSTABLE_SCRIPTED_BEFORE) return false;
    if (r.date >= UNSTABLE_SYSTEMD_FROM) return true;
    return undefined;
  }
  const a = SYSTEMD_STAGE1_DEFAULT_FROM;
  return r.year > a.year || (r.year === a.year && r.month >= a.month);
}

interface FlakeLockNode {
  inputs?: Record<string, string | string[]>;
  original?: { ref?: string; url?: string; owner?: string; repo?: string; type?: string; id?: string };
  locked?: { lastModified?: number; rev?: string; ref?: string } & Record<string, unknown>;
}

export interface PinnedRelease {
  readonly release: Release | undefined;
  /** How it was decided, for messages: `input nixpkgs-server: nixos-unstable pinned at 2024-03-05 (rev 1a2b3c4)`. */
  readonly how: string;
}

const CANDIDATES = ['nixpkgs', 'nixos', 'nixpkgs-stable'];

/** The NixOS release a flake.lock pins through the host's nixpkgs input (following `follows` lists). */
export function releaseFromFlakeLock(text: string, input?: string): PinnedRelease | undefined {
  let lock: { nodes?: Record<string, FlakeLockNode>; root?: string };
  try {
    lock = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!lock || typeof lock !== 'object') return undefined;
  const nodes = lock.nodes ?? {};
  const root = nodes[lock.root ?? 'root'];
  // `depth` bounds `follows` chains: a cycle in a hostile flake.lock is no release (nixboot lock says why)
  const resolve = (ref: string | string[] | undefined, depth = 0): FlakeLockNode | undefined => {
    if (depth > 32) return undefined;
    if (typeof ref === 'string') return nodes[ref];
    if (Array.isArray(ref) && depth < 64) {
      let cur: FlakeLockNode | undefined = root;
      for (const name of ref) cur = resolve(cur?.inputs?.[name], depth + 1);
      return cur;
    }
    return undefined;
  };
  const names = input ? [input] : CANDIDATES;
  for (const name of names) {
    const node = resolve(root?.inputs?.[name]);
    if (!node) continue;
    const o = node.original ?? {};
    const what =
      o.ref ?? (o.owner && o.repo ? `${o.owner}/${o.repo}` : (o.url ?? o.id ?? 'its default branch'));
    const fromRef = parseRelease(o.ref) ?? parseRelease(o.url);
    if (fromRef) return { release: fromRef, how: `input ${name}: ${what}` };
    const lm = node.locked?.lastModified;
    const rev = typeof node.locked?.rev === 'string' ? ` (rev ${node.locked.rev.slice(0, 7)})` : '';
    if (typeof lm === 'number' && Number.isFinite(lm) && lm > 0) {
      const r = releaseAt(lm);
      return { release: r, how: `input ${name}: ${what} pinned at ${r.date}${rev}` };
    }
    return { release: undefined, how: `input ${name}: ${what}, with no date in the lock` };
  }
  return input ? { release: undefined, how: `input ${input} is not in the lock` } : undefined;
}

/** npins (`{ pins: { nixpkgs: { branch | name } } }`) or niv (`{ nixpkgs: { branch } }`) sources.json. */
export function releaseFromSources(text: string): PinnedRelease | undefined {
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!json || typeof json !== 'object') return undefined;
  const pins = (typeof json.pins === 'object' && json.pins ? json.pins : json) as Record<
    string,
    Record<string, unknown> | undefined
  >;
  for (const name of CANDIDATES) {
    const pin = pins[name];
    if (!pin || typeof pin !== 'object') continue;
    const branch = [pin.branch, pin.name, pin.url].find((v): v is string => typeof v === 'string');
    const r = parseRelease(branch);
    return r
      ? { release: r, how: `pin ${name}: ${branch}` }
      : { release: undefined, how: `pin ${name}: ${branch ?? 'no branch'}, not dated` };
  }
  return undefined;
}
/** Looks for flake.lock in `dir` and its parents (up to `stopAt` or the file-system root). */
export function findFlakeLock(dir: string, stopAt?: string): string | undefined {
  let cur = dir;
  for (let i = 0; i < 32; i++) {
    const candidate = join(cur, 'flake.lock');
    if (existsSync(candidate)) return candidate;
    if (stopAt && cur === stopAt) return undefined;
    const parent = dirname(cur);
    if (parent === cur) return undefined;
    cur = parent;
  }
  return undefined;
}

export interface StageOneInputs {
  /** Literal, unconditional values of boot.initrd.systemd.enable found in the host's files. */
  readonly explicit: ReadonlyArray<{ value: boolean; file: string }>;
  /** Directory of a file of the host (for the pin search), if on disk. */
  readonly fileDir?: string;
  readonly workspaceRoot?: string;
  /** The `nixboot.nixosRelease` setting. */
  readonly releaseSetting?: string;
  /** The flake input whose `lib.nixosSystem` builds the host. */
  readonly input?: string;
  /** For tests: the flake.lock text, bypassing the file-system search. */
  readonly flakeLockText?: string;
}

const cache = new Map<string, { text: string; pinned: PinnedRelease | undefined }>();

function readCached(
  path: string,
  input: string | undefined,
  parse: (t: string) => PinnedRelease | undefined,
): PinnedRelease | undefined {
  let text: string;
  try {
    text = readRegularFileSync(path, 64 * 2 ** 20).toString('utf8'); // a FIFO must not block the linter
  } catch {
    return undefined;
  }
  const key = `${path}\u0000${input ?? ''}`;
  const hit = cache.get(key);
  if (hit && hit.text === text) return hit.pinned;
  const pinned = parse(text);
  if (cache.size > 256) cache.clear();
  cache.set(key, { text, pinned });
  return pinned;
}

/** The pin nearest to `dir`: a flake.lock, or npins/niv sources.json, in it or a parent. */
function pinNear(
  dir: string,
  input: string | undefined,
  stopAt?: string,
): (PinnedRelease & { file: string; kind: 'flake.lock' | 'npins' }) | undefined {
  let cur = dir;
  for (let i = 0; i < 32; i++) {
    const lock = join(cur, 'flake.lock');
    if (existsSync(lock)) {
      const p = readCached(lock, input, (t) => releaseFromFlakeLock(t, input));
      if (p) return { ...p, file: lock, kind: 'flake.lock' };
    }
    for (const rel of ['npins/sources.json', 'nix/sources.json']) {
      const f = join(cur, rel);
      if (existsSync(f)) {
        const p = readCached(f, undefined, releaseFromSources);
        if (p) return { ...p, file: f, kind: 'npins' };
      }
    }
    if (stopAt && cur === stopAt) return undefined;
    const parent = dirname(cur);
    if (parent === cur) return undefined;
    cur = parent;
  }
  return undefined;
}

function describe(systemd: boolean | undefined): string {
  return systemd === undefined
    ? 'an unknown stage 1 (pinned in the weeks systemd stage 1 became the default)'
    : `${systemd ? 'systemd' : 'scripted'} stage 1`;
}

export function effectiveStageOne(inp: StageOneInputs): StageOne {
  const pinned =
    inp.flakeLockText !== undefined
      ? (() => {
          const p = releaseFromFlakeLock(inp.flakeLockText, inp.input);
          return p ? { ...p, file: 'flake.lock', kind: 'flake.lock' as const } : undefined;
        })()
      : inp.fileDir
        ? pinNear(inp.fileDir, inp.input, inp.workspaceRoot)
        : undefined;
  const fromSetting = pinned?.release ? undefined : parseSetting(inp.releaseSetting);
  const last = inp.explicit[inp.explicit.length - 1];
  if (last) {
    // The release still matters when stage 1 is chosen explicitly (scripted stage 1 is deprecated in 26.05).
    const release = pinned?.release ?? fromSetting;
    return {
      systemd: last.value,
      source: 'explicit',
      reason: `boot.initrd.systemd.enable = ${last.value} in ${last.file}`,
      ...(release ? { release } : {}),
    };
  }
  if (pinned?.release) {
    const r = pinned.release;
    const systemd = systemdByDefault(r);
    return {
      systemd,
      source: pinned.kind,
      release: r,
      reason: `NixOS ${r.label} (${pinned.how}, ${pinned.file}) defaults to ${describe(systemd)}`,
    };
  }
  if (fromSetting) {
    const systemd = systemdByDefault(fromSetting);
    return {
      systemd,
      source: 'setting',
      release: fromSetting,
      reason: `NixOS ${fromSetting.label} (setting nixboot.nixosRelease${pinned ? `; ${pinned.how} in ${pinned.file} names no release` : ''}) defaults to ${describe(systemd)}`,
    };
  }
  return {
    systemd: undefined,
    source: 'unknown',
    reason: pinned
      ? `the NixOS release is unknown (${pinned.how}, ${pinned.file}; no nixboot.nixosRelease setting)`
      : 'the NixOS release is unknown (no flake.lock or npins/niv pin with a nixpkgs input, no nixboot.nixosRelease setting)',
  };
}
