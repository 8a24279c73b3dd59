// System generations of a NixOS profile, read from disk under a root (`/` or a recovery root such
// as `/mnt`, where absolute symlink targets like `/nix/store/x` resolve to `/mnt/nix/store/x`).
// Fields follow `nixos-rebuild list-generations --json` (generation, date, nixosVersion,
// kernelVersion, configurationRevision, specialisations) plus boot facts. No processes are run here.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readBootLoader, type BootLoaderState } from './boot';
import { readRegularFileSync } from '../files';

export interface GenerationsOptions {
  /** Root of the system (default `/`). */
  readonly root?: string;
  /** Profile path as seen from the system (default `/nix/var/nix/profiles/system`). */
  readonly profile?: string;
  /** Boot partition as seen from the system (default `/boot`). */
  readonly bootDir?: string;
}

export interface BootFile {
  /** Store path as seen from the system, e.g. `/nix/store/…-linux-6.6/bzImage`. */
  readonly path: string;
  /** Bytes, or undefined when the file is missing (garbage-collected). */
  readonly size?: number;
}

export interface Generation {
  readonly generation: number;
  /** ISO time: the link's birth time (survives `nix store optimise`), ctime as fallback. */
  readonly date: string;
  /** `system-N-link` path on disk (under the root). */
  readonly link: string;
  /** Toplevel store path as seen from the system. */
  readonly storePath: string;
  /** False when the link points to a path that no longer exists. */
  readonly exists: boolean;
  readonly nixosVersion?: string;
  readonly kernelVersion?: string;
  readonly configurationRevision?: string;
  /** Bootspec label, e.g. `NixOS 24.05… (Linux 6.6.8)`. */
  readonly label?: string;
  readonly kernel?: BootFile;
  readonly initrd?: BootFile;
  readonly init?: string;
  readonly kernelParams: string[];
  readonly specialisations: string[];
  /** Where kernel/initrd/params/specialisations came from. */
  readonly source: 'bootspec' | 'toplevel';
  /** `/run/current-system` points here. */
  readonly current: boolean;
  /** `/run/booted-system` points here. */
  readonly booted: boolean;
  /** The profile link points to this generation (what `nixos-rebuild list-generations` calls current). */
  readonly default: boolean;
  /** The boot loader still has an entry for it (undefined when no loader config was found). */
  readonly bootEntry?: boolean;
}

export interface GenerationsReport {
  readonly root: string;
  readonly profile: string;
  readonly generations: Generation[];
  readonly boot: BootLoaderState;
}

/**
 * Resolves `p` (as seen from the system) to a path on this machine, following symlinks with
 * absolute targets relative to `root`. Throws ENOENT like realpath.
 */
export function realpathUnder(root: string, p: string): string {
  if (path.resolve(root) === '/') return fs.realpathSync(p);
  const base = path.resolve(root);
  let parts = p.split('/').filter(Boolean);
  let cur = base;
  let hops = 0;
  while (parts.length) {
    const c = parts.shift()!;
    if (c === '.') continue;
    if (c === '..') {
      cur = cur === base ? base : path.dirname(cur);
      continue;
    }
    const next = path.join(cur, c);
    const st = fs.lstatSync(next);
    if (st.isSymbolicLink()) {
      if (++hops > 40)
        throw Object.assign(new Error(`too many levels of symbolic links: ${p}`), { code: 'ELOOP' });
      const t = fs.readlinkSync(next);
      if (t.startsWith('/') && path.join(base, t) === next) {
        // A link to itself as seen from the system (e.g. ROOT/nix/store → /nix/store, sharing
        // this machine's store): follow it on this machine.
        cur = fs.realpathSync(t);
        continue;
      }
      if (t.startsWith('/')) cur = base;
      parts = [...t.split('/').filter(Boolean), ...parts];
    } else cur = next;
  }
  return cur;
}

/** The system path `p` (as the system under `root` sees it) as a path on this machine: under `root` unless it is `/`. */
export function hostPath(root: string, p: string): string {
  const base = path.resolve(root);
  return base === '/' ? p : `${base}${p.startsWith('/') ? p : `/${p}`}`;
}

/**
 * `g` with its paths on this machine beside the system's (`hostStorePath`, kernel and initrd
 * `hostPath`): what an editor opens, compares or starts a terminal in when the system root is a
 * mounted system rather than `/`.
 */
export function withHostPaths(
  root: string,
  g: Generation,
): Omit<Generation, 'kernel' | 'initrd'> & {
  readonly hostStorePath: string;
  readonly kernel?: BootFile & { readonly hostPath: string };
  readonly initrd?: BootFile & { readonly hostPath: string };
} {
  const { kernel, initrd, ...rest } = g;
  return {
    ...rest,
    hostStorePath: hostPath(root, g.storePath),
    ...(kernel ? { kernel: { ...kernel, hostPath: hostPath(root, kernel.path) } } : {}),
    ...(initrd ? { initrd: { ...initrd, hostPath: hostPath(root, initrd.path) } } : {}),
  };
}

/** The host path `h` (under root) as the system sees it. */
export function systemPath(root: string, h: string): string {
  const base = path.resolve(root);
  if (base === '/') return h;
  const rel = path.relative(base, h);
  return rel.startsWith('..') ? h : `/${rel}`;
}

function tryRealpath(root: string, p: string): string | undefined {
  try {
    return realpathUnder(root, p);
  } catch {
    return undefined;
  }
}

function readText(root: string, p: string): string | undefined {
  const h = tryRealpath(root, p);
  if (!h) return undefined;
  try {
    return readRegularFileSync(h).toString('utf8');
  } catch {
    return undefined;
  }
}

function fileAt(root: string, p: string | undefined): BootFile | undefined {
  if (!p) return undefined;
  const h = tryRealpath(root, p);
  let size: number | undefined;
  try {
    if (h) size = fs.statSync(h).size;
  } catch {
    /* missing */
  }
  return { path: h ? systemPath(root, h) : p, size };
}

/** Link creation time: statx birth time when the file system records it, else ctime. */
function linkDate(link: string): Date {
  const st = fs.lstatSync(link, { bigint: true });
  const birth = st.birthtimeNs;
  return new Date(Number((birth > 0n ? birth : st.ctimeNs) / 1_000_000n));
}

interface Bootspec {
  init?: string;
  initrd?: string;
  kernel?: string;
  kernelParams?: string[];
  label?: string;
  toplevel?: string;
}

function parseBootspec(text: string): { doc: Bootspec; specialisations: string[] } | undefined {
  try {
    const json = JSON.parse(text) as Record<string, unknown>;
    const doc = json['org.nixos.bootspec.v1'] as Bootspec | undefined;
    if (!doc || typeof doc !== 'object') return undefined;
    const specs = json['org.nixos.specialisation.v1'];
    return { doc, specialisations: specs && typeof specs === 'object' ? Object.keys(specs).sort() : [] };
  } catch {
    return undefined;
  }
}

/** Reads one toplevel (as seen from the system) into generation fields. */
export function readToplevel(root: string, storePath: string) {
  const top = storePath;
  const exists = tryRealpath(root, top) !== undefined;
  const nixosVersion = readText(root, `${top}/nixos-version`)?.trim() || undefined;
  let kernelVersion: string | undefined;
  const mods = tryRealpath(root, `${top}/kernel-modules/lib/modules`);
  if (mods) {
    try {
      kernelVersion = fs.readdirSync(mods).sort()[0];
    } catch {
      /* unreadable */
    }
  }
  const swVersion = readText(root, `${top}/sw/bin/nixos-version`);
  const rev =
    swVersion?.match(/configurationRevision\\?["']?\s*[:=]\s*\\?["']([^"'\\\s]*)/)?.[1] || undefined;
  const spec = (() => {
    const t = readText(root, `${top}/boot.json`);
    return t === undefined ? undefined : parseBootspec(t);
  })();
  let kernelParams: string[];
  let specialisations: string[];
  let kernelPath: string | undefined;
  let initrdPath: string | undefined;
  let init: string | undefined;
  if (spec) {
    kernelPath = spec.doc.kernel;
    initrdPath = spec.doc.initrd;
    init = spec.doc.init;
    kernelParams = Array.isArray(spec.doc.kernelParams) ? spec.doc.kernelParams.map(String) : [];
    specialisations = spec.specialisations;
  } else {
    kernelPath = `${top}/kernel`;
    initrdPath = `${top}/initrd`;
    init = `${top}/init`;
    kernelParams = (readText(root, `${top}/kernel-params`) ?? '').split(/\s+/).filter(Boolean);
    if (init && !kernelParams.some((p) => p.startsWith('init='))) kernelParams.unshift(`init=${init}`);
    const sd = tryRealpath(root, `${top}/specialisation`);
    specialisations = [];
    if (sd) {
      try {
        specialisations = fs.readdirSync(sd).sort();
      } catch {
        /* unreadable */
      }
    }
  }
  return {
    exists,
    nixosVersion,
    kernelVersion,
    configurationRevision: rev,
    label: spec?.doc.label,
    kernel: fileAt(root, kernelPath),
    initrd: fileAt(root, initrdPath),
    init,
    kernelParams,
    specialisations,
    source: spec ? ('bootspec' as const) : ('toplevel' as const),
  };
}

function linkTarget(root: string, p: string): string | undefined {
  const h = tryRealpath(root, p);
  return h ? systemPath(root, h) : undefined;
}

/** Lists the generations of a system profile under `root`, oldest first. */
export function readGenerations(opts: GenerationsOptions = {}): GenerationsReport {
  const root = path.resolve(opts.root ?? '/');
  const profile = opts.profile ?? '/nix/var/nix/profiles/system';
  const profileHost = path.join(root, profile);
  const dir = path.dirname(profileHost);
  const base = path.basename(profileHost);
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch (e) {
    throw Object.assign(new Error(`cannot read the profile directory ${dir}: ${(e as Error).message}`), {
      code: (e as NodeJS.ErrnoException).code ?? 'ENOENT',
    });
  }
  const re = new RegExp(`^${base.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}-(\\d+)-link$`);
  let defaultName: string | undefined;
  try {
    defaultName = path.basename(fs.readlinkSync(profileHost));
  } catch {
    /* no profile link */
  }
  const current = linkTarget(root, '/run/current-system');
  const booted = linkTarget(root, '/run/booted-system');
  const boot = readBootLoader(root, opts.bootDir ?? '/boot');
  const generations: Generation[] = [];
  for (const name of names) {
    const m = re.exec(name);
    if (!m) continue;
    const link = path.join(dir, name);
    let target: string;
    try {
      target = fs.readlinkSync(link);
    } catch {
      continue;
    }
    const resolved = linkTarget(root, link);
    const storePath =
      resolved ?? (target.startsWith('/') ? target : path.posix.join(path.dirname(profile), target));
    const facts = readToplevel(root, storePath);
    const number = Number(m[1]);
    generations.push({
      generation: number,
      date: linkDate(link).toISOString(),
      link,
      storePath,
      ...facts,
      current: current !== undefined && current === storePath,
      booted: booted !== undefined && booted === storePath,
      default: defaultName === name,
      bootEntry:
        boot.loader === 'none'
          ? undefined
          : boot.entries.some(
              (e) => !e.specialisation && (e.generation === number || e.toplevel === storePath),
            ),
    });
  }
  generations.sort((a, b) => a.generation - b.generation);
  return { root, profile, generations, boot };
}

/** Picks a generation by number, `current`, `booted`, `default`, or `previous` (before default). */
export function pickGeneration(list: readonly Generation[], spec: string): Generation | undefined {
  if (/^\d+$/.test(spec)) return list.find((g) => g.generation === Number(spec));
  if (spec === 'current') return list.find((g) => g.current) ?? list.find((g) => g.default);
  if (spec === 'booted') return list.find((g) => g.booted);
  if (spec === 'default') return list.find((g) => g.default);
  if (spec === 'previous') {
    const d = list.findIndex((g) => g.default);
    return d > 0 ? list[d - 1] : undefined;
  }
  return undefined;
}
