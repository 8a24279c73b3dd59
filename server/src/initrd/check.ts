// Health check of an opened initrd: the things that make stage 1 panic or fail late.
import * as fs from 'node:fs';
import type { Archive, CpioEntry } from './archive';
import { isElf, parseElf } from './elf';

export interface Problem {
  /** Archive path the problem is about. */
  path: string;
  severity: 'error' | 'warning';
  code: 'init-missing' | 'init-not-file' | 'init-not-executable' | 'shebang-missing' | 'elf-interp-missing' | 'elf-needed-missing' | 'unit-exec-missing' | 'dangling-symlink' | 'kernel-version-mismatch' | 'kernel-versions-mixed';
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
}

const DEFAULT_LIB_DIRS = ['/lib', '/usr/lib', '/lib64', '/usr/lib64', '/lib/x86_64-linux-gnu', '/usr/lib/x86_64-linux-gnu', '/lib/aarch64-linux-gnu', '/usr/lib/aarch64-linux-gnu'];
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
  if (!initEntry) problems.push({ path: '/init', severity: 'error', code: 'init-missing', message: '/init is missing: the kernel falls back to the root= device and panics with "Unable to mount root fs"' });
  else if (!init) problems.push({ path: '/init', severity: 'error', code: 'init-missing', message: `/init is a dangling symlink (-> ${initEntry.target}): the kernel cannot run it` });
  else if (init.type !== 'file') problems.push({ path: '/init', severity: 'error', code: 'init-not-file', message: `/init is a ${init.type === 'dir' ? 'directory' : init.type}, not an executable file` });
  else if (!isExecutable(init)) problems.push({ path: '/init', severity: 'error', code: 'init-not-executable', message: `/init is not executable (mode ${init.mode.toString(8)})` });

  // library search path from ld.so.conf inside the archive
  const libDirs = [...DEFAULT_LIB_DIRS];
  const confs = [a.get('/etc/ld.so.conf'), ...a.list('/etc/ld.so.conf.d')].filter((e): e is CpioEntry => !!e && e.type === 'file' && e.size < 1 << 20);
  for (const c of confs) {
    for (const line of (await a.readEntry(c)).toString('utf8').split('\n')) {
      const l = line.trim();
      if (l.startsWith('/')) libDirs.push(l);
    }
  }

  const kernelVersions = new Set<string>();
  let n = 0;
  for (const e of a.entries) {
    if (++n % 500 === 0) {
      if (opts.signal?.aborted) throw new Error('cancelled');
      await new Promise((r) => setImmediate(r));
    }
    const km = /^\/(?:usr\/)?lib\/modules\/([^/]+)\//.exec(e.path);
    if (km) kernelVersions.add(km[1]!);
    if (e.type === 'symlink') {
      if (!a.resolve(e.path) && !RUNTIME.test(absTarget(e))) {
        problems.push({ path: e.path, severity: 'warning', code: 'dangling-symlink', message: `dangling symlink: ${e.target} does not exist in the archive` });
      }
      continue;
    }
    if (e.type !== 'file' || e.size < 4) continue;
    const isUnit = /\/systemd\/system\/[^/]+\.service$/.test(e.path);
    const maybeLib = /\.so(\.|$)/.test(e.path);
    if (!isExecutable(e) && !maybeLib && !isUnit) continue;
    const head = await a.readEntry(e, { start: 0, end: 256 });
    if (isUnit) {
      problems.push(...(await checkUnit(a, e)));
      continue;
    }
    if (head[0] === 0x23 && head[1] === 0x21) {
      const first = head.toString('utf8').split('\n')[0]!.slice(2).trim();
      const interp = first.split(/\s+/)[0] ?? '';
      if (interp.startsWith('/') && !a.resolve(interp)) {
        problems.push({ path: e.path, severity: 'error', code: 'shebang-missing', line: 0, message: `interpreter ${interp} (from the #! line) is not in the archive` });
      }
      continue;
    }
    if (!isElf(head) || e.size > maxElf) continue;
    const elf = parseElf(await a.readEntry(e));
    if (!elf) continue;
    if (elf.interp && !a.resolve(elf.interp)) {
      problems.push({ path: e.path, severity: 'error', code: 'elf-interp-missing', message: `ELF interpreter ${elf.interp} is not in the archive` });
    }
    const origin = dirname(e.path);
    const search = (elf.runpath.length ? elf.runpath : elf.rpath).map((d) => d.replace(/\$\{?ORIGIN\}?/g, origin));
    for (const lib of elf.needed) {
      if (lib.includes('/')) {
        if (!a.resolve(lib.startsWith('/') ? lib : `${origin}/${lib}`)) problems.push({ path: e.path, severity: 'error', code: 'elf-needed-missing', message: `needed library ${lib} is not in the archive` });
        continue;
      }
      const found = [...search, ...libDirs].some((d) => a.resolve(`${d}/${lib}`)?.type === 'file');
      if (!found) {
        problems.push({
          path: e.path,
          severity: 'error',
          code: 'elf-needed-missing',
          message: `needed library ${lib} is not in the archive (searched ${search.length ? `RUNPATH ${search.join(':')} and ` : ''}the default library directories)`,
        });
      }
    }
  }
  const versions = [...kernelVersions].sort();
  if (opts.kernelVersion) {
    for (const v of versions) {
      if (v !== opts.kernelVersion) problems.push({ path: `/lib/modules/${v}`, severity: 'error', code: 'kernel-version-mismatch', message: `kernel modules are for ${v}, but the generation's kernel is ${opts.kernelVersion}: modprobe will not find them` });
    }
  } else if (versions.length > 1) {
    problems.push({ path: `/lib/modules/${versions[1]}`, severity: 'warning', code: 'kernel-versions-mixed', message: `kernel modules for several kernel versions: ${versions.join(', ')}` });
  }
  return problems;
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
      out.push({ path: e.path, severity: 'error', code: 'unit-exec-missing', line, message: `${m[1]}= runs ${bin}, which is not in the archive` });
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
