// Where decompressed initrds are cached, and making sure that place is ours alone.
//
// Decompressed initrds hold secrets (boot.initrd.secrets, SSH host keys), and the index says
// what /init is: a cache directory another user could create, replace or read would let them
// read those secrets, forge what we show, or make our eviction delete their choice of
// directories. So the cache lives in the XDG cache directory, is created 0700, and a directory we
// do not own, that is a symlink, or that others may write is refused (and a private mkdtemp used
// instead). Files in it are written 0600.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/**
 * The cache directory for a user: `$NIXBOOT_CACHE_DIR`, else `$XDG_CACHE_HOME/nixboot` (the XDG
 * base directory spec ignores a relative value), else `~/.cache/nixboot`; undefined when there is
 * no home directory to put it in (then `openArchive` uses a private temporary directory).
 */
export function defaultCacheDir(env: NodeJS.ProcessEnv): string | undefined {
  if (env.NIXBOOT_CACHE_DIR) return path.resolve(env.NIXBOOT_CACHE_DIR);
  if (env.XDG_CACHE_HOME && path.isAbsolute(env.XDG_CACHE_HOME))
    return path.join(env.XDG_CACHE_HOME, 'nixboot');
  let home = env.HOME;
  if (!home) {
    try {
      home = os.userInfo().homedir;
    } catch {
      home = undefined;
    }
  }
  return home && path.isAbsolute(home) ? path.join(home, '.cache', 'nixboot') : undefined;
}

export interface CacheDir {
  /** The directory to use: the one asked for, or a private temporary directory. */
  readonly dir: string;
  /** Why the directory asked for was refused (the temporary directory is used instead). */
  readonly refused?: string;
}

const uid = () => process.getuid?.();

/**
 * Why `dir` (which exists) is not safe to cache in, or undefined when it is: it must be a real
 * directory (not a symlink), owned by us, and writable by no one else. A directory of ours with
 * group or other permissions is tightened to 0700 (older versions created it 0755).
 */
function unsafe(dir: string): string | undefined {
  const st = fs.lstatSync(dir);
  if (st.isSymbolicLink()) return `${dir} is a symbolic link`;
  if (!st.isDirectory()) return `${dir} is not a directory`;
  const me = uid();
  if (me !== undefined && st.uid !== me)
    return `${dir} belongs to uid ${st.uid}, not to this user (uid ${me})`;
  if ((st.mode & 0o077) !== 0) fs.chmodSync(dir, 0o700);
  return undefined;
}

/** Whether a directory that others may write to lets them rename or replace our entries in it. */
function replaceableIn(parent: string): string | undefined {
  let st: fs.Stats;
  try {
    st = fs.statSync(parent);
  } catch {
    return undefined;
  }
  const me = uid();
  // world- or group-writable without the sticky bit, or owned by another user (not root)
  if ((st.mode & 0o022) !== 0 && (st.mode & 0o1000) === 0) return `${parent} is writable by other users`;
  if (me !== undefined && st.uid !== me && st.uid !== 0) return `${parent} belongs to uid ${st.uid}`;
  return undefined;
}

/**
 * Makes `dir` (and its `initrd` subdirectory) ready as a private cache: created 0700 when missing,
 * checked when present. Never throws for a refused directory: the answer is then a private
 * temporary directory (removed when the process exits) and the reason.
 */
export function privateCacheDir(dir: string | undefined): CacheDir {
  if (dir === undefined) return { dir: temporary() };
  const abs = path.resolve(dir);
  let why: string | undefined;
  try {
    why = replaceableIn(path.dirname(abs));
    if (!why) {
      try {
        fs.mkdirSync(abs, { recursive: true, mode: 0o700 });
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      }
      why = unsafe(abs);
    }
    if (!why) {
      const sub = path.join(abs, 'initrd');
      try {
        fs.mkdirSync(sub, { mode: 0o700 });
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      }
      why = unsafe(sub);
    }
  } catch (e) {
    why = `${abs}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`;
  }
  if (!why) return { dir: abs };
  return {
    dir: temporary(),
    refused: `cache directory refused: ${why}; using a private temporary directory instead`,
  };
}

let tmp: string | undefined;

/** One private (0700, mkdtemp) cache directory per process, removed at exit. */
function temporary(): string {
  if (tmp && fs.existsSync(tmp)) return tmp;
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'nixboot-cache-'));
  fs.chmodSync(d, 0o700);
  fs.mkdirSync(path.join(d, 'initrd'), { mode: 0o700 });
  if (!tmp) process.once('exit', () => removeTemporary());
  tmp = d;
  return d;
}

function removeTemporary(): void {
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
}
