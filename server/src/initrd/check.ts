// Health check of an opened initrd: the things that make stage 1 panic or fail late.
import * as fs from 'node:fs';
import type { Archive, CpioEntry } from './archive';
import { isElf, parseElf } from './elf';

export interface Problem {
  /** Archive path the problem is about. */
  path: string;
  severity: 'error' | 'warning';
  code:
    | 'init-missing'
    | 'init-not-file'
    | 'init-not-executable'
    | 'shebang-missing'
    | 'elf-interp-missing'
    | 'elf-needed-missing'
    | 'unit-exec-missing'
    | 'dangling-symlink'
    | 'symlink-loop'
    | 'kernel-version-mismatch'
    | 'kernel-versions-mixed'
    | 'search-path-truncated'
    | 'more-problems';
  message: string;
  /** 0-based line in the file, when the problem is on a line (units, shebangs). */
  line?: number;
}

export interface CheckOptions {
  /** The generation's kernel version (e.g. "6.6.30"); modules for another version are reported. */
  kernelVersion?: string;
  signal?: AbortSignal;
  /** ELF files larger than this are not inspected (default 64 MiB). */
  maxElfSize?: number;
  /** Most problems listed (default 1000); the rest are counted in one last 'more-problems' entry. */
  maxProblems?: number;
}

/** Missing libraries listed per binary; the rest are counted in one more message. */
const MISSING_PER_BINARY = 10;
/** ld.so.conf: bytes read per file, files read (includes), include depth, directories kept. */
const CONF_MAX_BYTES = 256 * 1024;
const CONF_MAX_FILES = 64;
const CONF_MAX_DEPTH = 8;
const MAX_DIRS = 256;
/** The longest text quoted from the archive in a message. */
const QUOTE = 200;

const quote = (t: string) => (t.length > QUOTE ? `${t.slice(0, QUOTE)}…` : t);

/** A search path for a message: its first directories and how many there are. */
function showPath(dirs: string[]): string {
  const shown = dirs.slice(0, 4).map(quote).join(':');
  return dirs.length > 4 ? `${shown}:… (${dirs.length} directories)` : shown;
}

/** Unique values, in order, at most `max` (and whether some were dropped). */
function firstUnique(values: Iterable<string>, max: number): { list: string[]; dropped: number } {
  const seen = new Set<string>();
  let dropped = 0;
  for (const v of values) {
    if (seen.has(v)) continue;
    if (seen.size >= max) {
      dropped++;
      continue;
    }
    seen.add(v);
  }
  return { list: [...seen], dropped };
}

const DEFAULT_LIB_DIRS = [
  '/lib',
  '/usr/lib',
  '/lib64',
  '/usr/lib64',
  '/lib/x86_64-linux-gnu',
  '/usr/lib/x86_64-linux-gnu',
  '/lib/aarch64-linux-gnu',
  '/usr/lib/aarch64-linux-gnu',
];
// Runtime filesystems: symlinks into them are expected to dangle inside the archive.
const RUNTIME = /^\/(proc|sys|dev|run|tmp|sysroot|mnt-root)(\/|$)/;

function isExecutable(e: CpioEntry): boolean {
  return (e.mode & 0o111) !== 0;
}

function dirname(p: string): string {
  const i = p.lastIndexOf('/');
  return i <= 0 ? '/' : p.slice(0, i);
}

function absTarget(link: CpioEntry): string {
  const t = link.target ?? '';
  return t.startsWith('/') ? t : `${dirname(link.path)}/${t}`;
}

export async function checkArchive(a: Archive, opts: CheckOptions = {}): Promise<Problem[]> {
  const problems: Problem[] = [];
  const maxElf = opts.maxElfSize ?? 64 * 2 ** 20;
  // /init
  const initEntry = a.get('/init');
  const init = a.resolve('/init');
  if (!initEntry)
    problems.push({
      path: '/init',
      severity: 'error',
      code: 'init-missing',
      message:
        '/init is missing: the kernel falls back to the root= device and panics with "Unable to mount root fs"',
    });
  else if (!init)
    problems.push({
      path: '/init',
      severity: 'error',
      code: 'init-missing',
      message: `/init is a ${a.isLoop('/init') ? 'symlink loop' : 'dangling symlink'} (-> ${initEntry.target}): the kernel cannot run it`,
    });
  else if (init.type !== 'file')
    problems.push({
      path: '/init',
      severity: 'error',
      code: 'init-not-file',
      message: `/init is a ${init.type === 'dir' ? 'directory' : init.type}, not an executable file`,
    });
  else if (!isExecutable(init))
    problems.push({
      path: '/init',
      severity: 'error',
      code: 'init-not-executable',
      message: `/init is not executable (mode ${init.mode.toString(8)})`,
    });

  // library search path from ld.so.conf inside the archive (bounded: size, files, include depth)
  const conf = await readLdSoConf(a);
  const dirs = firstUnique([...DEFAULT_LIB_DIRS, ...conf.dirs], MAX_DIRS);
  const libDirs = dirs.list;
  if (conf.truncated || dirs.dropped) {
    problems.push({
      path: '/etc/ld.so.conf',
      severity: 'warning',
      code: 'search-path-truncated',
      message: `ld.so.conf is too large to follow in full (${conf.truncated ?? `more than ${MAX_DIRS} directories`}): libraries are searched in its first ${libDirs.length} directories only`,
    });
  }

  const lookup = new LibraryLookup(a);
  const elfCache = new Map<string, ReturnType<typeof parseElf>>();
  const kernelVersions = new Set<string>();
  const maxProblems = opts.maxProblems ?? 1000;
  let shown = problems.length;
  let more = 0;
  let moreErrors = false;
  /** Keeps the first `maxProblems` problems; counts the rest. */
  const report = (p: Problem) => {
    if (shown < maxProblems) {
      problems.push(p);
      shown++;
    } else {
      more++;
      if (p.severity === 'error') moreErrors = true;
    }
  };
  let lastYield = Date.now();
  let n = 0;
  for (const e of a.entries) {
    if (++n % 500 === 0 || Date.now() - lastYield > 20) {
      if (opts.signal?.aborted) throw new Error('cancelled');
      await new Promise((r) => setImmediate(r));
      lastYield = Date.now();
    }
    const km = /^\/(?:usr\/)?lib\/modules\/([^/]+)\//.exec(e.path);
    if (km) kernelVersions.add(km[1]!);
    if (e.type === 'symlink') {
      if (a.resolve(e.path)) continue;
      if (a.isLoop(e.path)) {
        report({
          path: e.path,
          severity: 'warning',
          code: 'symlink-loop',
          message: `symlink loop: ${quote(e.target ?? '')} leads back through more than 40 symlinks (ELOOP at boot)`,
        });
      } else if (!RUNTIME.test(absTarget(e))) {
        report({
          path: e.path,
          severity: 'warning',
          code: 'dangling-symlink',
          message: `dangling symlink: ${quote(e.target ?? '')} does not exist in the archive`,
        });
      }
      continue;
    }
    if (e.type !== 'file' || e.size < 4) continue;
    const isUnit = /\/systemd\/system\/[^/]+\.service$/.test(e.path);
    const maybeLib = /\.so(\.|$)/.test(e.path);
    if (!isExecutable(e) && !maybeLib && !isUnit) continue;
    const head = await a.readEntry(e, { start: 0, end: 256 });
    if (isUnit) {
      for (const p of await checkUnit(a, e)) report(p);
      continue;
    }
    if (head[0] === 0x23 && head[1] === 0x21) {
      const first = head.toString('utf8').split('\n')[0]!.slice(2).trim();
      const interp = first.split(/\s+/)[0] ?? '';
      if (interp.startsWith('/') && !a.resolve(interp)) {
        report({
          path: e.path,
          severity: 'error',
          code: 'shebang-missing',
          line: 0,
          message: `interpreter ${quote(interp)} (from the #! line) is not in the archive`,
        });
      }
      continue;
    }
    if (!isElf(head) || e.size > maxElf) continue;
    // hardlinks share their data: parse it once
    const dataKey = `${e.segment}:${e.dataOffset}:${e.size}`;
    let elf = elfCache.get(dataKey);
    if (!elfCache.has(dataKey)) {
      elf = parseElf(await a.readEntry(e));
      elfCache.set(dataKey, elf);
    }
    if (!elf) continue;
    if (elf.interp && !a.resolve(elf.interp)) {
      report({
        path: e.path,
        severity: 'error',
        code: 'elf-interp-missing',
        message: `ELF interpreter ${quote(elf.interp)} is not in the archive`,
      });
    }
    const origin = dirname(e.path);
    const own = firstUnique(
      (elf.runpath.length ? elf.runpath : elf.rpath).map((d) => d.replace(/\$\{?ORIGIN\}?/g, origin)),
      MAX_DIRS,
    );
    const search = own.list;
    const kind = elf.runpath.length ? 'RUNPATH' : 'RPATH';
    if (own.dropped) {
      report({
        path: e.path,
        severity: 'warning',
        code: 'search-path-truncated',
        message: `${kind} has more than ${MAX_DIRS} directories: libraries are searched in its first ${MAX_DIRS} only`,
      });
    }
    // each missing library once per binary, at most MISSING_PER_BINARY listed
    const missing: string[] = [];
    let missingMore = 0;
    const pathId = lookup.pathId(search);
    for (const lib of new Set(elf.needed)) {
      const found = lib.includes('/')
        ? a.resolve(lib.startsWith('/') ? lib : `${origin}/${lib}`)?.type === 'file'
        : lookup.find(lib, search, pathId, libDirs);
      if (found) continue;
      if (missing.length < MISSING_PER_BINARY) missing.push(lib);
      else missingMore++;
    }
    for (const lib of missing) {
      report({
        path: e.path,
        severity: 'error',
        code: 'elf-needed-missing',
        message: lib.includes('/')
          ? `needed library ${quote(lib)} is not in the archive`
          : `needed library ${quote(lib)} is not in the archive (searched ${search.length ? `${kind} ${showPath(search)} and ` : ''}the default library directories)`,
      });
    }
    if (missingMore)
      report({
        path: e.path,
        severity: 'error',
        code: 'elf-needed-missing',
        message: `and ${missingMore} more needed libraries are not in the archive`,
      });
  }
  const versions = [...kernelVersions].sort();
  if (opts.kernelVersion) {
    for (const v of versions) {
      if (v !== opts.kernelVersion)
        problems.push({
          path: `/lib/modules/${v}`,
          severity: 'error',
          code: 'kernel-version-mismatch',
          message: `kernel modules are for ${v}, but the generation's kernel is ${opts.kernelVersion}: modprobe will not find them`,
        });
    }
  } else if (versions.length > 1) {
    problems.push({
      path: `/lib/modules/${versions[1]}`,
      severity: 'warning',
      code: 'kernel-versions-mixed',
      message: `kernel modules for several kernel versions: ${showPath(versions).replace(/:/g, ', ')}`,
    });
  }
  if (more)
    problems.push({
      path: '/',
      severity: moreErrors ? 'error' : 'warning',
      code: 'more-problems',
      message: `${more} more problems not listed (the first ${maxProblems} are)`,
    });
  return problems;
}

/**
 * Whether a library is found in `search` then `defaults` (directories inside the archive), as
 * ld.so looks: each directory is resolved once (symlinks followed), each (name, search path)
 * answered once, and a name is looked up among the archive's entries of that name, not by
 * trying every directory.
 */
class LibraryLookup {
  /** Directories (as written) → their real path in the archive, or null. */
  private readonly dirs = new Map<string, string | null>();
  /** File name → real parent directories of entries with that name. */
  private readonly byName = new Map<string, string[]>();
  private readonly answers = new Map<string, boolean>();
  /** Search paths seen (joined) → a short id, so that an answer's key is small. */
  private readonly paths = new Map<string, number>();
  constructor(private readonly a: Archive) {
    for (const e of a.entries) {
      const i = e.path.lastIndexOf('/');
      const name = e.path.slice(i + 1);
      let list = this.byName.get(name);
      if (!list) this.byName.set(name, (list = []));
      list.push(i <= 0 ? '/' : e.path.slice(0, i));
    }
  }
  private real(dir: string): string | null {
    let r = this.dirs.get(dir);
    if (r === undefined) {
      const e = this.a.resolve(dir);
      r = e && e.type === 'dir' ? e.path : null;
      this.dirs.set(dir, r);
    }
    return r;
  }
  /** The id of a search path: compute once per binary, pass to `find`. */
  pathId(search: string[]): number {
    const joined = search.join('\0');
    let id = this.paths.get(joined);
    if (id === undefined) this.paths.set(joined, (id = this.paths.size));
    return id;
  }
  find(lib: string, search: string[], pathId: number, defaults: string[]): boolean {
    const key = `${pathId}\0${lib}`;
    let found = this.answers.get(key);
    if (found === undefined) {
      found = false;
      const parents = this.byName.get(lib);
      if (parents) {
        const where = new Set(parents);
        for (const d of [...search, ...defaults]) {
          const r = this.real(d);
          if (r !== null && where.has(r) && this.a.resolve(`${r === '/' ? '' : r}/${lib}`)?.type === 'file') {
            found = true;
            break;
          }
        }
      }
      this.answers.set(key, found);
    }
    return found;
  }
}

/**
 * Library directories from /etc/ld.so.conf (or, without it, /etc/ld.so.conf.d/*.conf), following
 * `include` lines with `*` patterns as ldconfig does, bounded in bytes, files and depth.
 */
async function readLdSoConf(a: Archive): Promise<{ dirs: string[]; truncated?: string }> {
  const dirs: string[] = [];
  const read = new Set<string>();
  let truncated: string | undefined;
  const matching = (pattern: string): CpioEntry[] => {
    const i = pattern.lastIndexOf('/');
    const dir = i <= 0 ? '/' : pattern.slice(0, i);
    const glob = pattern.slice(i + 1);
    if (!glob.includes('*') && !glob.includes('?')) {
      const e = a.resolve(pattern);
      return e ? [e] : [];
    }
    const re = new RegExp(
      `^${glob
        .replace(/[.+^${}()|[\]\\]/g, '\\$&')
        .replace(/\*/g, '.*')
        .replace(/\?/g, '.')}$`,
    );
    const d = a.resolve(dir);
    if (!d || d.type !== 'dir') return [];
    return a
      .list(d.path)
      .filter((e) => re.test(e.path.slice(e.path.lastIndexOf('/') + 1)))
      .map((e) => a.resolve(e.path))
      .filter((e): e is CpioEntry => !!e);
  };
  const visit = async (e: CpioEntry, depth: number): Promise<void> => {
    if (truncated || e.type !== 'file' || read.has(e.path)) return;
    if (depth > CONF_MAX_DEPTH) return void (truncated = `includes nested more than ${CONF_MAX_DEPTH} deep`);
    if (read.size >= CONF_MAX_FILES) return void (truncated = `more than ${CONF_MAX_FILES} files`);
    if (e.size > CONF_MAX_BYTES)
      return void (truncated = `${quote(e.path)} is larger than ${CONF_MAX_BYTES / 1024} KiB`);
    read.add(e.path);
    for (const line of (await a.readEntry(e)).toString('utf8').split('\n')) {
      const l = line.replace(/#.*/, '').trim();
      if (!l) continue;
      const inc = /^include\s+(.*)$/.exec(l);
      if (inc) {
        for (const pattern of inc[1]!.split(/\s+/)) {
          const abs = pattern.startsWith('/') ? pattern : `${dirname(e.path)}/${pattern}`;
          for (const f of matching(abs).sort((x, y) => (x.path < y.path ? -1 : 1))) await visit(f, depth + 1);
        }
      } else if (l.startsWith('/')) {
        const d = l.replace(/\/+$/, '') || '/';
        if (dirs.includes(d)) continue;
        if (dirs.length >= MAX_DIRS) return void (truncated = `more than ${MAX_DIRS} directories`);
        dirs.push(d);
      }
    }
  };
  const main = a.resolve('/etc/ld.so.conf');
  if (main) await visit(main, 0);
  else for (const f of matching('/etc/ld.so.conf.d/*.conf')) await visit(f, 1);
  return { dirs, ...(truncated ? { truncated } : {}) };
}

async function checkUnit(a: Archive, e: CpioEntry): Promise<Problem[]> {
  if (e.size > 1 << 20) return [];
  const out: Problem[] = [];
  const lines = (await a.readEntry(e)).toString('utf8').split('\n');
  lines.forEach((raw, line) => {
    const m = /^\s*(Exec(?:Start|StartPre|StartPost|Stop|StopPost|Reload|Condition))\s*=\s*(.*)$/.exec(raw);
    if (!m || !m[2]) return;
    const cmd = m[2].replace(/^[@\-:+!|]+/, '').trim();
    const bin = cmd.split(/\s+/)[0] ?? '';
    if (bin.startsWith('/') && !a.resolve(bin)) {
      out.push({
        path: e.path,
        severity: 'error',
        code: 'unit-exec-missing',
        line,
        message: `${m[1]}= runs ${bin}, which is not in the archive`,
      });
    }
  });
  return out;
}

/**
 * The kernel version of the NixOS generation an initrd belongs to, when `file` is a toplevel's
 * `initrd` (e.g. /run/current-system/initrd): the toplevel's `kernel-modules/lib/modules/<v>`.
 */
export function generationKernelVersion(file: string): string | undefined {
  const dir = file.slice(0, file.lastIndexOf('/'));
  try {
    const versions = fs.readdirSync(`${dir}/kernel-modules/lib/modules`).filter((v) => /^\d/.test(v));
    return versions.length === 1 ? versions[0] : undefined;
  } catch {
    return undefined;
  }
}
