// Nix store queries, shared by provenance and generations: store path of a file, deriver,
// path-info (both JSON shapes), derivations. All process spawning goes through exec.ts.
import { realpathSync } from 'node:fs';
import { readRegularFile } from '../files';
import { parseDerivation, type Derivation } from '../nar/derivation';
import { run, type RunOptions } from './exec';

const STORE_DIR = '/nix/store';

/**
 * The store path containing `p` (`/nix/store/<hash>-<name>`), following symlinks on disk when
 * `p` exists (e.g. `/run/current-system/sw/bin/sed`); `undefined` when it is not in the store.
 * Returns `sub`, the rest of the path inside the store path.
 */
export function toStorePath(p: string, storeDir = STORE_DIR): { storePath: string; sub: string } | undefined {
  let real = p;
  try {
    real = realpathSync(p);
  } catch {
    /* not on disk: use it as written */
  }
  for (const cand of [real, p]) {
    const sp = splitStorePath(cand, storeDir);
    if (sp) return sp;
  }
  return undefined;
}

/** `/nix/store/<hash>-<name>` and the rest of `p` when `p` starts with a valid store path. */
function splitStorePath(p: string, storeDir: string): { storePath: string; sub: string } | undefined {
  if (!p.startsWith(`${storeDir}/`)) return undefined;
  const rest = p.slice(storeDir.length + 1);
  const slash = rest.indexOf('/');
  const base = slash < 0 ? rest : rest.slice(0, slash);
  if (!/^[0-9a-df-np-sv-z]{32}-[A-Za-z0-9+\-._?=]+$/.test(base)) return undefined;
  return { storePath: `${storeDir}/${base}`, sub: slash < 0 ? '' : rest.slice(slash) };
}

/**
 * The store path named inside `p`, a path that is not on this machine (a file inside an initrd, a
 * file of another virtual file system): from the first `/nix/store/` in it on, without following
 * anything on this machine (the host's `/etc/…` is not the image's). `undefined` when it names none.
 */
export function storePathWithin(
  p: string,
  storeDir = STORE_DIR,
): { storePath: string; sub: string } | undefined {
  for (let i = p.indexOf(`${storeDir}/`); i >= 0; i = p.indexOf(`${storeDir}/`, i + 1)) {
    const sp = splitStorePath(p.slice(i), storeDir);
    if (sp) return sp;
  }
  return undefined;
}

export interface PathInfo {
  readonly path: string;
  readonly narHash?: string;
  readonly narSize?: number;
  readonly references: string[];
  readonly deriver?: string;
  readonly ca?: string;
  readonly valid: boolean;
}

/**
 * Parses `nix path-info --json` output: the array shape (Nix ≤ 2.18: `[{path, narHash, …}]`) and
 * the object shape (newer: `{"/nix/store/…": {narHash, …} | null}`).
 */
export function parsePathInfoJson(text: string): PathInfo[] {
  const json = JSON.parse(text) as unknown;
  const one = (path: string, v: Record<string, unknown> | null): PathInfo => {
    if (!v) return { path, references: [], valid: false };
    return {
      path,
      narHash: typeof v.narHash === 'string' ? v.narHash : undefined,
      narSize: typeof v.narSize === 'number' ? v.narSize : undefined,
      references: Array.isArray(v.references)
        ? v.references.map(String).map((r) => (r.startsWith('/') ? r : `${STORE_DIR}/${r}`))
        : [],
      deriver:
        typeof v.deriver === 'string'
          ? v.deriver.startsWith('/')
            ? v.deriver
            : `${STORE_DIR}/${v.deriver}`
          : undefined,
      ca: typeof v.ca === 'string' ? v.ca : undefined,
      valid: v.valid !== false,
    };
  };
  if (Array.isArray(json)) return json.map((v: Record<string, unknown>) => one(String(v.path), v));
  if (json && typeof json === 'object')
    return Object.entries(json as Record<string, Record<string, unknown> | null>).map(([k, v]) => one(k, v));
  throw new Error('unexpected `nix path-info --json` output');
}

type QueryOptions = Pick<RunOptions, 'env' | 'signal' | 'timeoutMs'>;

export async function pathInfo(path: string, opts: QueryOptions = {}): Promise<PathInfo> {
  const r = await run(
    'nix',
    ['--extra-experimental-features', 'nix-command', 'path-info', '--json', path],
    opts,
  );
  const infos = parsePathInfoJson(r.stdout);
  const info = infos.find((i) => i.path === path) ?? infos[0];
  if (!info) throw new Error(`no path info for ${path}`);
  return info;
}

/** `nix-store --query --deriver`: the .drv path, or undefined when unknown. */
export async function queryDeriver(path: string, opts: QueryOptions = {}): Promise<string | undefined> {
  const r = await run('nix-store', ['--query', '--deriver', path], opts);
  const d = r.stdout.trim();
  return d && d !== 'unknown-deriver' ? d : undefined;
}

/** Reads and parses a `.drv` file from the store (no nix needed). */
export async function readDerivation(drvPath: string): Promise<Derivation> {
  if (!drvPath.endsWith('.drv')) throw new Error(`${drvPath} is not a derivation`);
  return parseDerivation((await readRegularFile(drvPath)).toString('utf8'));
}
