// `nixboot initrd ls|cat|du|check|diff`: the initrd engine on the command line.
import * as path from 'node:path';
import type { CliCommand, CliIO } from './io';
import { CliError } from './io';
import { readArgs, unknownOption } from './args';
import { InitrdError, openArchive, type Archive } from '../initrd/archive';
import { diskUsage } from '../initrd/du';
import { checkArchive, generationKernelVersion } from '../initrd/check';
import { diffArchives } from '../initrd/diff';
import { printable } from '../text';
import { defaultCacheDir } from '../initrd/cacheDir';

const USAGE = `Usage:
  nixboot initrd ls [--json] FILE        list segments and entries
  nixboot initrd cat FILE PATH           write a file's exact bytes to stdout
  nixboot initrd du [--json] FILE        size by top-level directory and /nix/store path
  nixboot initrd check [--json] [--kernel-version V] FILE
                                         health check (exit 1 when problems are found)
  nixboot initrd diff [--json] A B       added, removed and changed files (units first)

FILE may be an initramfs (any mix of plain, gzip, zstd, xz, lzma, bzip2, lz4 segments) or a
unified kernel image (.efi). Decompressed data is cached, private to you (0700/0600), under
$NIXBOOT_CACHE_DIR (default: $XDG_CACHE_HOME/nixboot or ~/.cache/nixboot); delete it any time.
`;

async function open(file: string, io: CliIO): Promise<Archive> {
  try {
    return await openArchive(path.resolve(io.cwd, file), {
      cacheDir: defaultCacheDir(io.env),
      signal: io.signal,
      onWarning: (m) => io.err(`nixboot: warning: ${m}\n`),
    });
  } catch (e) {
    if (e instanceof InitrdError) throw new CliError(`${file}: ${e.message}`);
    throw e;
  }
}

function modeString(type: string, mode: number): string {
  const t = { file: '-', dir: 'd', symlink: 'l', char: 'c', block: 'b', fifo: 'p', socket: 's' }[type] ?? '?';
  let s = t;
  for (let i = 2; i >= 0; i--) {
    const b = (mode >> (i * 3)) & 7;
    s += (b & 4 ? 'r' : '-') + (b & 2 ? 'w' : '-') + (b & 1 ? 'x' : '-');
  }
  return s;
}

function parseFlags(
  args: string[],
  known: string[],
  withValue: string[] = [],
): { flags: Record<string, string | true>; rest: string[] } {
  const flags: Record<string, string | true> = {};
  const rest: string[] = [];
  for (const a of readArgs(args)) {
    if (a.positional) rest.push(a.name);
    else if (withValue.includes(a.name)) flags[a.name] = a.value();
    else if (known.includes(a.name)) flags[a.name] = true;
    else throw unknownOption(a);
  }
  return { flags, rest };
}

export const initrdCommand: CliCommand = {
  name: 'initrd',
  summary: 'open initrds: ls, cat, du, check, diff',
  usage: USAGE,
  async run(args, io) {
    const [sub, ...rest] = args;
    switch (sub) {
      case 'ls': {
        const { flags, rest: files } = parseFlags(rest, ['--json']);
        if (files.length !== 1) throw new CliError('usage: nixboot initrd ls [--json] FILE');
        const a = await open(files[0]!, io);
        if (flags['--json']) {
          io.out(
            JSON.stringify({
              segments: a.segments.map((s) => ({
                offset: s.offset,
                compression: s.compression,
                compressedSize: s.compressedSize,
                size: s.size,
              })),
              ...(a.uki ? { uki: a.uki } : {}),
              entries: a.entries.map((e) => ({
                path: e.path,
                type: e.type,
                size: e.size,
                mode: e.mode,
                uid: e.uid,
                gid: e.gid,
                mtime: e.mtime,
                ...(e.target !== undefined ? { target: e.target } : {}),
              })),
            }) + '\n',
          );
        } else {
          // one write per 64 KiB rather than per line
          let text = '';
          const line = (t: string) => {
            text += t;
            if (text.length >= 65536) {
              io.out(text);
              text = '';
            }
          };
          for (const s of a.segments)
            line(
              `# segment at ${s.offset}: ${s.compression}, ${s.compressedSize} → ${s.size} bytes, ${s.entries} entries\n`,
            );
          if (a.uki?.cmdline !== undefined) line(`# cmdline: ${printable(a.uki.cmdline)}\n`);
          for (const e of a.entries) {
            line(
              `${modeString(e.type, e.mode)} ${String(e.uid).padStart(4)} ${String(e.gid).padStart(4)} ${String(e.size).padStart(10)} ${printable(e.path)}${e.target !== undefined ? ` -> ${printable(e.target)}` : ''}\n`,
            );
          }
          if (text) io.out(text);
        }
        return 0;
      }
      case 'cat': {
        if (rest.length !== 2) throw new CliError('usage: nixboot initrd cat FILE PATH');
        const a = await open(rest[0]!, io);
        const e = a.resolve(rest[1]!);
        if (!e)
          throw new CliError(
            a.isLoop(rest[1]!)
              ? `${rest[1]}: symlink loop in the archive`
              : `${rest[1]}: no such file in the archive`,
          );
        if (e.type !== 'file')
          throw new CliError(`${rest[1]}: is a ${e.type === 'dir' ? 'directory' : e.type}, not a file`);
        for (let off = 0; off < e.size || off === 0; off += 8 << 20) {
          await io.outBytes(await a.readEntry(e, { start: off, end: off + (8 << 20) }));
          if (e.size === 0) break;
        }
        return 0;
      }
      case 'du': {
        const { flags, rest: files } = parseFlags(rest, ['--json']);
        if (files.length !== 1) throw new CliError('usage: nixboot initrd du [--json] FILE');
        const a = await open(files[0]!, io);
        const du = diskUsage(a);
        if (flags['--json']) io.out(JSON.stringify(du) + '\n');
        else {
          io.out(`total ${du.total} bytes in ${du.files} files\n\nby top-level directory:\n`);
          for (const d of du.topLevel) io.out(`${String(d.size).padStart(12)}  ${printable(d.path)}\n`);
          if (du.storePaths.length) {
            io.out('\nby store path:\n');
            for (const d of du.storePaths) io.out(`${String(d.size).padStart(12)}  ${printable(d.path)}\n`);
          }
          io.out('\nlargest files:\n');
          for (const d of du.largest) io.out(`${String(d.size).padStart(12)}  ${printable(d.path)}\n`);
        }
        return 0;
      }
      case 'check': {
        const { flags, rest: files } = parseFlags(rest, ['--json'], ['--kernel-version']);
        if (files.length !== 1)
          throw new CliError('usage: nixboot initrd check [--json] [--kernel-version V] FILE');
        const a = await open(files[0]!, io);
        const kv =
          typeof flags['--kernel-version'] === 'string'
            ? flags['--kernel-version']
            : generationKernelVersion(path.resolve(io.cwd, files[0]!));
        const problems = await checkArchive(a, { kernelVersion: kv, signal: io.signal });
        if (flags['--json']) io.out(JSON.stringify({ problems }) + '\n');
        else {
          for (const p of problems)
            io.out(`${printable(p.path)}: ${p.severity}: ${printable(p.message)} [${p.code}]\n`);
          io.out(problems.length ? `${problems.length} problem(s)\n` : 'no problems found\n');
        }
        return problems.some((p) => p.severity === 'error') ? 1 : 0;
      }
      case 'diff': {
        const { flags, rest: files } = parseFlags(rest, ['--json']);
        if (files.length !== 2) throw new CliError('usage: nixboot initrd diff [--json] A B');
        const a = await open(files[0]!, io);
        const b = await open(files[1]!, io);
        const d = await diffArchives(a, b, { signal: io.signal });
        if (flags['--json']) io.out(JSON.stringify(d) + '\n');
        else {
          const sign = { added: '+', removed: '-', changed: '~' } as const;
          for (const c of d.changes)
            io.out(`${sign[c.kind]} ${printable(c.path)}${c.detail ? `  (${printable(c.detail)})` : ''}\n`);
          io.out(
            `${d.changes.filter((c) => c.kind === 'added').length} added, ${d.changes.filter((c) => c.kind === 'removed').length} removed, ${d.changes.filter((c) => c.kind === 'changed').length} changed\n`,
          );
        }
        return d.changes.length ? 1 : 0;
      }
      default:
        throw new CliError(
          sub
            ? `unknown subcommand '${sub}' (ls, cat, du, check, diff)`
            : 'missing subcommand (ls, cat, du, check, diff)',
        );
    }
  },
};
