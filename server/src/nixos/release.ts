// Which stage 1 is in effect: `boot.initrd.systemd.enable` as set in the linted files, else the
// default of the NixOS release (systemd stage 1 is the default from 26.05, nixpkgs#435781), taken
// from the `nixpkgs` input of a flake.lock beside the files, else the `nixboot.nixosRelease`
// setting, else unknown.
import { existsSync } from 'node:fs';
import { readRegularFileSync } from '../files';
import { dirname, join } from 'node:path';

/** First release whose default is systemd stage 1. */
export const SYSTEMD_STAGE1_DEFAULT_FROM = { year: 26, month: 5 };

export interface Release {
  readonly year: number;
  readonly month: number;
  /** e.g. "25.11", or "unstable". */
  readonly label: string;
}

export interface StageOne {
  /** true: systemd stage 1; false: scripted; undefined: unknown. */
  readonly systemd: boolean | undefined;
  readonly source: 'explicit' | 'flake.lock' | 'setting' | 'unknown';
  /** Human-readable reason, used in messages ("set in hosts/a.nix", "NixOS 25.11 from flake.lock"). */
  readonly reason: string;
  readonly release?: Release;
}

/** Parses a branch/ref like `nixos-25.11`, `nixos-25.05-small`, `release-24.11`, `nixos-unstable`. */
export function parseRelease(ref: string | undefined): Release | undefined {
  if (!ref) return undefined;
  const m = /(\d{2})\.(\d{2})/.exec(ref);
  if (m) return { year: Number(m[1]), month: Number(m[2]), label: `${m[1]}.${m[2]}` };
  if (/unstable|master|main/.test(ref)) return { year: 99, month: 99, label: 'unstable' };
  return undefined;
}

export function systemdByDefault(r: Release): boolean {
  const a = SYSTEMD_STAGE1_DEFAULT_FROM;
  return r.year > a.year || (r.year === a.year && r.month >= a.month);
}

interface FlakeLockNode {
  inputs?: Record<string, string | string[]>;
  original?: { ref?: string; url?: string; owner?: string; repo?: string; type?: string };
  locked?: Record<string, unknown>;
}

/** The NixOS release a flake.lock pins through its `nixpkgs` input (following `follows` lists). */
export function releaseFromFlakeLock(text: string): Release | undefined {
  let lock: { nodes?: Record<string, FlakeLockNode>; root?: string };
  try {
    lock = JSON.parse(text);
  } catch {
    return undefined;
  }
  const nodes = lock.nodes ?? {};
  const root = nodes[lock.root ?? 'root'];
  // `depth` bounds `follows` chains: a cycle in a hostile flake.lock is no release (nixboot lock says why)
  const resolve = (ref: string | string[] | undefined, depth = 0): FlakeLockNode | undefined => {
    if (typeof ref === 'string') return nodes[ref];
    if (Array.isArray(ref) && depth < 64) {
      let cur: FlakeLockNode | undefined = root;
      for (const name of ref) cur = resolve(cur?.inputs?.[name], depth + 1);
      return cur;
    }
    return undefined;
  };
  const candidates = ['nixpkgs', 'nixos', 'nixpkgs-stable'];
  for (const name of candidates) {
    const node = resolve(root?.inputs?.[name]);
    if (!node) continue;
    const o = node.original ?? {};
    const fromRef = parseRelease(o.ref) ?? parseRelease(o.url);
    if (fromRef) return fromRef;
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
  /** Literal, unconditional values of boot.initrd.systemd.enable found in the linted files. */
  readonly explicit: ReadonlyArray<{ value: boolean; file: string }>;
  /** Path of the first linted file (for the flake.lock search), if on disk. */
  readonly fileDir?: string;
  readonly workspaceRoot?: string;
  /** The `nixboot.nixosRelease` setting. */
  readonly releaseSetting?: string;
  /** For tests: the flake.lock text, bypassing the file-system search. */
  readonly flakeLockText?: string;
}

const cache = new Map<string, { mtimeKey: string; release: Release | undefined }>();

function releaseNear(dir: string, stopAt?: string): { release: Release | undefined; lockPath?: string } {
  const lockPath = findFlakeLock(dir, stopAt);
  if (!lockPath) return { release: undefined };
  let text: string;
  try {
    text = readRegularFileSync(lockPath, 64 * 2 ** 20).toString('utf8'); // a FIFO must not block the linter
  } catch {
    return { release: undefined };
  }
  const hit = cache.get(lockPath);
  if (hit && hit.mtimeKey === text) return { release: hit.release, lockPath };
  const release = releaseFromFlakeLock(text);
  cache.set(lockPath, { mtimeKey: text, release });
  return { release, lockPath };
}

export function effectiveStageOne(inp: StageOneInputs): StageOne {
  const fromLock = inp.flakeLockText !== undefined
    ? { release: releaseFromFlakeLock(inp.flakeLockText), lockPath: 'flake.lock' }
    : inp.fileDir
      ? releaseNear(inp.fileDir, inp.workspaceRoot)
      : { release: undefined };
  const fromSetting = fromLock.release ? undefined : parseRelease(inp.releaseSetting);
  const last = inp.explicit[inp.explicit.length - 1];
  if (last) {
    // The release still matters when stage 1 is chosen explicitly (scripted stage 1 is deprecated in 26.05).
    const release = fromLock.release ?? fromSetting;
    return {
      systemd: last.value,
      source: 'explicit',
      reason: `boot.initrd.systemd.enable = ${last.value} in ${last.file}`,
      ...(release ? { release } : {}),
    };
  }
  if (fromLock.release) {
    const r = fromLock.release;
    return {
      systemd: systemdByDefault(r),
      source: 'flake.lock',
      release: r,
      reason: `NixOS ${r.label} (the nixpkgs input of ${fromLock.lockPath}) defaults to ${systemdByDefault(r) ? 'systemd' : 'scripted'} stage 1`,
    };
  }
  if (fromSetting) {
    return {
      systemd: systemdByDefault(fromSetting),
      source: 'setting',
      release: fromSetting,
      reason: `NixOS ${fromSetting.label} (setting nixboot.nixosRelease) defaults to ${systemdByDefault(fromSetting) ? 'systemd' : 'scripted'} stage 1`,
    };
  }
  return { systemd: undefined, source: 'unknown', reason: 'the NixOS release is unknown (no flake.lock with a nixpkgs input, no nixboot.nixosRelease setting)' };
}
