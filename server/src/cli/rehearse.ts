// `nixboot rehearse`: boot a generation's exact kernel and initrd in QEMU and say how far stage 1 got.
import * as path from 'node:path';
import type { CliCommand, CliIO } from './io';
import { CliError } from './io';
import { readArgs, unknownOption } from './args';
import { defaultCacheDir } from '../initrd/cacheDir';
import { loadConfig } from '../rehearse/config';
import { printable } from '../text';
import { rehearse, RehearsalError, resolveTarget, type RehearsalResult } from '../rehearse/rehearse';
import type { ConfigSource } from '../rehearse/mapping';

const USAGE = `Usage:
  nixboot rehearse [--root DIR] [--generation N | PATH] [options]
  nixboot rehearse --kernel FILE --initrd FILE [--params "…"] [options]

Boot one generation's exact kernel and initrd in QEMU (headless, no host disk, restricted
user-mode network) and report how far stage 1 gets: the wait for the root device (healthy),
NixOS's "An error occurred in stage 1", a kernel panic, a command not found in /init, a failed
systemd unit or emergency mode, a prompt waiting for input, or a time-out. A failure is mapped
back to the hook and the .nix line that defined it when the configuration is known.

  PATH              a system toplevel: ./result, /nix/store/…-nixos-system-…, a system-N-link
  --generation N    a generation of the system profile (a number, current, default, booted, previous;
                    default: the profile's default)

Options:
  --root DIR        system root (default /; e.g. /mnt for a system mounted from a live USB)
  --profile PATH    profile as seen from the system (default /nix/var/nix/profiles/system)
  --config PATH     the configuration the generation was built from (a .nix file or a directory;
                    repeatable; default: the toplevel's configuration.nix when it has one)
  --kernel FILE, --initrd FILE, --params "…"
                    boot these instead of a generation
  --accel auto|kvm|tcg
                    accelerator (default auto: KVM only with real vmx/svm and a usable /dev/kvm)
  --timeout S       seconds until the verdict is "timeout" (default 90)
  --ssh             forward the initrd's SSH port to 127.0.0.1 and wait for its banner
                    (default: when the initrd has an SSH server); --no-ssh to skip
  --ssh-port N      the guest's SSH port (default: from the initrd, else 22)
  --json            machine-readable output

Exit status: 0 healthy, 1 a failure was found, 2 cannot run (no QEMU, bad input).
Needs qemu-system-x86_64 (Debian: apt-get install qemu-system-x86).
`;

interface Args {
  root: string;
  profile?: string;
  generation?: string;
  path?: string;
  kernel?: string;
  initrd?: string;
  params?: string;
  config: string[];
  accel: 'auto' | 'kvm' | 'tcg';
  timeout: number;
  ssh: boolean | 'auto';
  sshPort?: number;
  json: boolean;
}

function parse(args: string[]): Args {
  const out: Args = { root: '/', config: [], accel: 'auto', timeout: 90, ssh: 'auto', json: false };
  for (const arg of readArgs(args)) {
    const a = arg.name;
    const value = () => arg.value();
    if (arg.positional) {
      if (out.path !== undefined) throw new CliError(`unexpected argument '${a}'`);
      out.path = a;
    } else if (a === '--root') out.root = value();
    else if (a === '--profile') out.profile = value();
    else if (a === '--generation' || a === '-g') out.generation = value();
    else if (a === '--kernel') out.kernel = value();
    else if (a === '--initrd') out.initrd = value();
    else if (a === '--params') out.params = value();
    else if (a === '--config') out.config.push(value());
    else if (a === '--accel') {
      const v = value();
      if (v !== 'auto' && v !== 'kvm' && v !== 'tcg')
        throw new CliError(`--accel expects auto, kvm or tcg, got '${v}'`);
      out.accel = v;
    } else if (a === '--timeout') {
      const v = value();
      const s = Number(v);
      if (!/^\d+(\.\d+)?$/.test(v) || !(s > 0) || s > 86400)
        throw new CliError(`--timeout expects seconds (e.g. 60), got '${v}'`);
      out.timeout = s;
    } else if (a === '--ssh') out.ssh = true;
    else if (a === '--no-ssh') out.ssh = false;
    else if (a === '--ssh-port') {
      const v = value();
      const n = Number(v);
      if (!/^\d+$/.test(v) || n < 1 || n > 65535)
        throw new CliError(`--ssh-port expects a port number, got '${v}'`);
      out.sshPort = n;
    } else if (a === '--json') out.json = true;
    else throw unknownOption(arg);
  }
  const how = [
    out.generation !== undefined,
    out.path !== undefined,
    out.kernel !== undefined || out.initrd !== undefined,
  ].filter(Boolean).length;
  if (how > 1) throw new CliError('give one of --generation N, a PATH, or --kernel/--initrd');
  return out;
}

function config(paths: readonly string[], cwd: string, toplevel: string | undefined): ConfigSource[] {
  try {
    return loadConfig(
      paths.map((p) => path.resolve(cwd, p)),
      toplevel,
    );
  } catch (e) {
    throw new CliError(`--config: ${(e as Error).message}`);
  }
}

const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

function report(r: RehearsalResult, io: CliIO): void {
  io.out(`${r.ok ? 'HEALTHY' : 'FAILED'}: ${r.verdict} after ${secs(r.timeMs)} (${r.accel.accel})\n`);
  io.out(`${r.summary}\n`);
  io.out(
    `\nBooted: ${r.target.label}\n  kernel  ${r.target.kernel}\n  initrd  ${r.target.initrd}\n  params  ${r.appended}\n`,
  );
  if (r.causes.length) {
    io.out('\nCause in the configuration:\n');
    for (const c of r.causes)
      io.out(
        `  ${c.file}:${c.line}:${c.column}  ${c.option}${c.text ? `: ${c.text}` : ''}${c.initLine ? `  (/init line ${c.initLine})` : ''}\n`,
      );
  }
  io.out('\nTimeline:\n');
  const rows = [
    ...r.events.map((e) => ({
      t: e.t,
      line: `  ${secs(e.t).padStart(7)}  ${e.kind.padEnd(17)}  ${e.text.slice(0, 160)}\n`,
    })),
    // Hooks print nothing at their edges: placed by the /init lines printed around them.
    ...r.hooks.map((h) => ({
      t: h.at,
      line: `  ${''.padStart(7)}  ${'hook'.padEnd(17)}  ${h.option} (${h.file}:${h.line}, /init ${h.initFirst === h.initLast ? `line ${h.initFirst}` : `lines ${h.initFirst}-${h.initLast}`}): ${h.when}\n`,
    })),
  ];
  for (const x of rows.sort((a, b) => a.t - b.t)) io.out(x.line);
  if (r.ssh)
    io.out(
      `\nSSH: 127.0.0.1:${r.ssh.hostPort} → guest port ${r.ssh.guestPort}: ${r.ssh.banner ? `answered ${r.ssh.banner} at ${secs(r.ssh.atMs!)}` : 'no banner'}\n`,
    );
  if (r.secrets) io.out(`\nNote: ${r.secrets.note}\n`);
  for (const n of r.notes) io.out(`Note: ${n}\n`);
  if (r.qemu.peakRssBytes) io.out(`QEMU peak RSS ${Math.round(r.qemu.peakRssBytes / 1048576)} MiB\n`);
  if (!r.ok) {
    const tail = r.console.trimEnd().split('\n').slice(-15);
    io.out(`\nLast console lines:\n${tail.map((l) => `  | ${l}`).join('\n')}\n`);
  }
}

export const rehearseCommand: CliCommand = {
  name: 'rehearse',
  summary: "boot a generation's kernel and initrd in QEMU: does stage 1 get through?",
  usage: USAGE,
  async run(args, io) {
    const a = parse(args);
    let target;
    try {
      target = resolveTarget(
        {
          root: a.root,
          profile: a.profile,
          generation: a.generation,
          path: a.path,
          kernel: a.kernel,
          initrd: a.initrd,
          params: a.params?.split(/\s+/).filter(Boolean),
        },
        io.cwd,
      );
    } catch (e) {
      if (e instanceof RehearsalError) throw new CliError(e.message);
      throw e;
    }
    const sources = config(a.config, io.cwd, target.toplevel);
    let r: RehearsalResult;
    try {
      r = await rehearse(target, {
        accel: a.accel,
        timeoutMs: a.timeout * 1000,
        ssh: a.ssh,
        sshPort: a.sshPort,
        config: sources,
        cacheDir: defaultCacheDir(io.env),
        signal: io.signal,
      }).result;
    } catch (e) {
      if (e instanceof RehearsalError) throw new CliError(e.message);
      throw e;
    }
    if (a.json) io.out(JSON.stringify(r, null, 2) + '\n');
    else report({ ...r, summary: printable(r.summary) }, io);
    if (r.verdict === 'cancelled') return 2;
    return r.ok ? 0 : 1;
  },
};
