// Boot rehearsal: boots one generation's exact kernel and initrd in QEMU (headless, TCG unless the
// machine really virtualises), reads the serial console, and says how far stage 1 got — with the
// `.nix` line behind a failure. See docs/rehearse.md.
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { openArchive, type Archive } from '../initrd/archive';
import { run } from '../system/exec';
import {
  pickGeneration,
  readGenerations,
  readToplevel,
  realpathUnder,
  systemPath,
} from '../system/generations';
import {
  freePort,
  probeAccel,
  qemuAvailable,
  readBanner,
  startQemu,
  QEMU_INSTALL_HINT,
  type Accel,
  type AccelProbe,
  type QemuProcess,
} from '../system/qemu';
import {
  classify,
  cleanLine,
  ConsoleLog,
  isPrompt,
  STAMP,
  TERMINAL,
  type ConsoleEvent,
  type EventKind,
} from './console';
import { hookTimings, type HookTiming, type TimedLine } from './hooks';
import { ConfigMap, type ConfigLocation, type ConfigSource } from './mapping';
import { alignmentPadding, parentDirs, writeNewc, type NewcEntry } from './newc';

export type Verdict =
  | 'healthy'
  | 'stage1-fail'
  | 'kernel-panic'
  | 'command-not-found'
  | 'unit-failed'
  | 'emergency'
  | 'prompt'
  | 'timeout'
  | 'qemu-exit'
  | 'cancelled';

/** What to boot, as files on this machine. */
export interface RehearsalTarget {
  readonly kernel: string;
  readonly initrd: string;
  /** The generation's own kernel parameters (without ours). */
  readonly params: readonly string[];
  /** Toplevel store path on this machine, when the target is a generation. */
  readonly toplevel?: string;
  readonly generation?: number;
  readonly label: string;
  /** `boot.initrd.secrets` destinations (from the generation's `append-initrd-secrets`). */
  readonly secrets: readonly string[];
}

export class RehearsalError extends Error {
  constructor(
    message: string,
    readonly kind: 'no-qemu' | 'input' = 'input',
  ) {
    super(message);
    this.name = 'RehearsalError';
  }
}

export interface TargetSpec {
  /** System root (default `/`). */
  readonly root?: string;
  /** Generation number (or current/default/booted/previous) of the profile under root. */
  readonly generation?: string;
  /** A toplevel (`result`, a store path, a `system-N-link`), on this machine. */
  readonly path?: string;
  readonly profile?: string;
  /** By hand: kernel, initrd and parameters. */
  readonly kernel?: string;
  readonly initrd?: string;
  readonly params?: readonly string[];
}

/** The destinations in an `append-initrd-secrets` script (nixpkgs stage-1.nix writes `cp -a SRC "$tmp/.initrd-secrets/DEST"`). */
export function secretDestinations(script: string): string[] {
  const out = new Set<string>();
  for (const m of script.matchAll(/"\$tmp\/\.initrd-secrets\/([^"$`\\]+)"/g))
    if (!m[1]!.includes('..')) out.add(m[1]!.startsWith('/') ? m[1]! : `/${m[1]}`);
  return [...out].sort();
}

function readSecrets(root: string, top: string): string[] {
  for (const p of [
    `${top}/append-initrd-secrets`,
    `${top}/append-initrd-secrets/bin/append-initrd-secrets`,
  ]) {
    try {
      const h = realpathUnder(root, p);
      if (!fs.statSync(h).isFile()) continue;
      return secretDestinations(fs.readFileSync(h, 'utf8').slice(0, 1 << 20));
    } catch {
      /* none */
    }
  }
  return [];
}

/** Resolves what to boot: a generation under a root, a toplevel path, or kernel + initrd by hand. */
export function resolveTarget(spec: TargetSpec, cwd = process.cwd()): RehearsalTarget {
  const root = path.resolve(cwd, spec.root ?? '/');
  if (spec.kernel || spec.initrd) {
    if (!spec.kernel || !spec.initrd) throw new RehearsalError('give both a kernel and an initrd');
    const kernel = path.resolve(cwd, spec.kernel);
    const initrd = path.resolve(cwd, spec.initrd);
    for (const f of [kernel, initrd]) if (!fs.existsSync(f)) throw new RehearsalError(`${f} does not exist`);
    return {
      kernel,
      initrd,
      params: [...(spec.params ?? [])],
      label: `${path.basename(kernel)} + ${path.basename(initrd)}`,
      secrets: [],
    };
  }
  let top: string; // as seen from the system under `root`
  let sysRoot = root;
  let generation: number | undefined;
  if (spec.path) {
    const host = path.resolve(cwd, spec.path);
    let real: string;
    try {
      real = fs.realpathSync(host);
    } catch {
      throw new RehearsalError(`${host} does not exist`);
    }
    if (root !== '/' && !path.relative(root, real).startsWith('..')) top = systemPath(root, real);
    else {
      // A link into a recovery root's store (ROOT/result → /nix/store/… of that system) resolves under the root.
      let under: string | undefined;
      if (root !== '/') {
        try {
          under = realpathUnder(root, systemPath(root, host));
        } catch {
          under = undefined;
        }
      }
      if (under) top = systemPath(root, under);
      else {
        top = real;
        sysRoot = '/';
      }
    }
  } else {
    const report = readGenerations({ root, profile: spec.profile });
    const want = spec.generation ?? 'default';
    const g = pickGeneration(report.generations, want);
    if (!g)
      throw new RehearsalError(
        `no generation '${want}' under ${root} (have ${report.generations.map((x) => x.generation).join(', ') || 'none'})`,
      );
    top = g.storePath;
    generation = g.generation;
  }
  const facts = readToplevel(sysRoot, top);
  if (!facts.kernel || !facts.initrd)
    throw new RehearsalError(`${top} names no kernel or initrd (not a NixOS system toplevel?)`);
  const host = (p: string, what: string) => {
    try {
      return realpathUnder(sysRoot, p);
    } catch {
      throw new RehearsalError(`the ${what} ${p} of ${top} is missing (garbage-collected?)`);
    }
  };
  const params = [...facts.kernelParams];
  if (facts.source === 'bootspec' && facts.init && !params.some((p) => p.startsWith('init=')))
    params.unshift(`init=${facts.init}`);
  return {
    kernel: host(facts.kernel.path, 'kernel'),
    initrd: host(facts.initrd.path, 'initrd'),
    params,
    toplevel: realpathUnder(sysRoot, top),
    generation,
    label: facts.label ?? (generation !== undefined ? `generation ${generation}` : path.basename(top)),
    secrets: readSecrets(sysRoot, top),
  };
}

export interface RehearseOptions {
  readonly accel?: 'auto' | Accel;
  /** Milliseconds until the verdict is `timeout` (default 90 s). */
  readonly timeoutMs?: number;
  /** Forward and probe the initrd's SSH server: true, false, or auto (when the initrd has one). */
  readonly ssh?: boolean | 'auto';
  /** Guest SSH port (default: `Port` in the initrd's sshd configuration or /init, else 22). */
  readonly sshPort?: number;
  /** The configuration the generation was built from (for `.nix` lines). */
  readonly config?: readonly ConfigSource[];
  /** initrd index cache (see initrd/cacheDir). */
  readonly cacheDir: string | undefined;
  /** Where the scratch disk and a secrets-appended initrd copy live while QEMU runs (default os.tmpdir()). */
  readonly tmpDir?: string;
  readonly signal?: AbortSignal;
  /** Live console output (raw bytes as text). */
  readonly onConsole?: (text: string) => void;
  readonly onEvent?: (e: ConsoleEvent) => void;
  readonly memoryMiB?: number;
  /** Quiet time after which an unfinished line that asks for a passphrase counts as a prompt (default 1500 ms). */
  readonly promptQuietMs?: number;
}

export interface RehearsalResult {
  readonly verdict: Verdict;
  readonly ok: boolean;
  /** One sentence for people. */
  readonly summary: string;
  /** Milliseconds from QEMU start to the verdict. */
  readonly timeMs: number;
  readonly events: readonly ConsoleEvent[];
  /** Where in the configuration the failure comes from (best first). */
  readonly causes: readonly ConfigLocation[];
  /** Scripted stage 1: when each hook of the configuration found in /init ran, bounded by the /init lines printed around it (hooks.ts). */
  readonly hooks: readonly HookTiming[];
  readonly ssh?: {
    readonly hostPort: number;
    readonly guestPort: number;
    readonly banner?: string;
    readonly atMs?: number;
  };
  /** Throwaway initrd secrets appended for this boot. */
  readonly secrets?: { readonly paths: readonly string[]; readonly note: string };
  readonly accel: AccelProbe;
  readonly target: RehearsalTarget;
  readonly appended: string;
  /** `cpuMs`: CPU time QEMU used up to the verdict (the guest's work, whatever the host's load). */
  readonly qemu: {
    readonly args: readonly string[];
    readonly peakRssBytes?: number;
    readonly cpuMs?: number;
    readonly exit?: string;
  };
  readonly notes: readonly string[];
  /** The last 256 KiB of console output. */
  readonly console: string;
}

export interface Rehearsal {
  readonly result: Promise<RehearsalResult>;
  /** Types into the serial console (a user answering a prompt). */
  write(data: string): void;
}

/** Console lines kept with their times for the hook timeline (a stage-1 console is a few hundred lines). */
const MAX_TIMED_LINES = 20_000;
const MAX_TIMED_BYTES = 2 << 20;

// QEMU processes of this Node process: killed if it exits first.
const live = new Set<QemuProcess>();
let exitHook = false;
function track(q: QemuProcess): void {
  live.add(q);
  if (!exitHook) {
    exitHook = true;
    process.once('exit', () => {
      for (const p of live) p.kill();
    });
  }
}

function chooseAccel(a: RehearseOptions['accel']): AccelProbe {
  if (a === 'kvm') return { accel: 'kvm', reason: 'forced' };
  if (a === 'tcg') return { accel: 'tcg', reason: 'forced' };
  return probeAccel();
}

/**
 * Our parameters go last: `no_timer_check` (under TCG on a busy host the kernel's early check of
 * the emulated timer interrupt can miss its ticks and panic with "IO-APIC + timer doesn't work!":
 * a verdict about the host's load, not the generation — seen on this project's 2-core machines at
 * load 10+), `panic=-1` (a panic ends QEMU at once, with -no-reboot) and `console=ttyS0` (the last
 * `console=` is /dev/console).
 */
export function kernelCommandLine(params: readonly string[]): string {
  return [
    ...params.filter((p) => p !== 'console=ttyS0' && p !== 'no_timer_check'),
    'no_timer_check',
    'panic=-1',
    'console=ttyS0',
  ].join(' ');
}

async function keyFile(
  dest: string,
  dir: string,
  signal?: AbortSignal,
): Promise<{ data: Buffer; kind: string }> {
  const base = path.basename(dest);
  const type = /rsa/.test(base)
    ? 'rsa'
    : /ecdsa/.test(base)
      ? 'ecdsa'
      : /ed25519/.test(base) || /ssh|key/.test(base)
        ? 'ed25519'
        : undefined;
  if (!type) return { data: randomBytes(32), kind: 'random bytes' };
  const f = path.join(dir, `key-${randomBytes(8).toString('hex')}`);
  await run(
    'ssh-keygen',
    [
      '-q',
      '-t',
      type,
      ...(type === 'rsa' ? ['-b', '2048'] : []),
      '-N',
      '',
      '-C',
      'nixboot-rehearsal-throwaway',
      '-f',
      f,
    ],
    { signal, timeoutMs: 30_000 },
  );
  try {
    return { data: fs.readFileSync(f), kind: `${type} host key` };
  } finally {
    fs.rmSync(f, { force: true });
    fs.rmSync(`${f}.pub`, { force: true });
  }
}

/** A copy of `initrd` with one more newc segment: fresh throwaway files at `.initrd-secrets/DEST`, where stage 1 copies them from. */
async function withSecrets(
  initrd: string,
  dests: readonly string[],
  dir: string,
  signal?: AbortSignal,
): Promise<{ file: string; note: string }> {
  const entries: NewcEntry[] = [];
  const kinds: string[] = [];
  const names = dests.map((d) => `.initrd-secrets${d}`);
  for (const d of parentDirs(names)) entries.push({ name: d, type: 'dir', mode: 0o755 });
  for (let i = 0; i < dests.length; i++) {
    const k = await keyFile(dests[i]!, dir, signal);
    kinds.push(`${dests[i]} (${k.kind})`);
    entries.push({ name: names[i]!, type: 'file', mode: 0o600, data: k.data });
  }
  const out = path.join(dir, 'initrd-with-secrets');
  fs.copyFileSync(initrd, out);
  const size = fs.statSync(out).size;
  fs.appendFileSync(out, Buffer.concat([alignmentPadding(size), writeNewc(entries)]));
  return {
    file: out,
    note: `boot.initrd.secrets are appended by the boot loader installer, not kept in the store: this rehearsal appended a throwaway cpio segment with freshly generated ${kinds.join(', ')}`,
  };
}

function sshPortFrom(texts: readonly string[]): number | undefined {
  for (const t of texts) {
    const m =
      /^\s*(?:echo\s+["']?)?Port\s+(\d{1,5})\b/m.exec(t) ??
      /\bsshd?\b[^\n]*\s-p\s*(\d{1,5})\b/.exec(t) ??
      /\bdropbear\b[^\n]*\s-p\s*(?:\S+:)?(\d{1,5})\b/.exec(t);
    if (m && Number(m[1]) > 0 && Number(m[1]) < 65536) return Number(m[1]);
  }
  return undefined;
}

async function readInitrdFacts(
  initrd: string,
  cacheDir: string | undefined,
  signal?: AbortSignal,
): Promise<{ init?: string; hasSshd: boolean; sshPort?: number; note?: string }> {
  let a: Archive;
  try {
    a = await openArchive(initrd, { cacheDir, signal });
  } catch (e) {
    return {
      hasSshd: false,
      note: `could not read the initrd (${(e as Error).message}): no mapping to /init lines`,
    };
  }
  const text = async (p: string) => {
    const e = a.resolve(p);
    if (!e || e.type !== 'file' || e.size > 4 << 20) return undefined;
    try {
      return (await a.readFile(p)).toString('utf8');
    } catch {
      return undefined;
    }
  };
  const init = await text('/init');
  const sshdConfig = await text('/etc/ssh/sshd_config');
  const hasSshd =
    [
      '/bin/sshd',
      '/sbin/sshd',
      '/usr/sbin/sshd',
      '/bin/dropbear',
      '/sbin/dropbear',
      '/usr/sbin/dropbear',
    ].some((p) => a.resolve(p) !== undefined) || /(^|[\s/])(sshd|dropbear)\b/m.test(init ?? '');
  return { init, hasSshd, sshPort: sshPortFrom([sshdConfig ?? '', init ?? '']) };
}

const SUMMARY: Record<Verdict, string> = {
  healthy: 'stage 1 got through its hooks and reached the wait for the root device',
  'stage1-fail':
    'stage 1 failed: NixOS fail() printed "An error occurred in stage 1" and waits at its menu (on a headless server, a hang)',
  'kernel-panic': 'the kernel panicked',
  'command-not-found': 'a stage-1 command was not found',
  'unit-failed': 'a systemd stage-1 unit failed',
  emergency: 'systemd stage 1 went to emergency mode',
  prompt: 'stage 1 waits for input at a prompt (on an unattended boot, a hang)',
  timeout: 'no verdict before the time-out',
  'qemu-exit': 'QEMU stopped before stage 1 said anything conclusive',
  cancelled: 'cancelled',
};

/** Starts a rehearsal. The result never rejects for a boot that goes wrong; it rejects only when QEMU cannot run. */
export function rehearse(target: RehearsalTarget, opts: RehearseOptions): Rehearsal {
  let qemu: QemuProcess | undefined;
  const pending: string[] = [];
  const result = (async (): Promise<RehearsalResult> => {
    if (!qemuAvailable())
      throw new RehearsalError(`qemu-system-x86_64 is not installed: ${QEMU_INSTALL_HINT}`, 'no-qemu');
    const accel = chooseAccel(opts.accel);
    const notes: string[] = [];
    if (accel.accel === 'tcg' && opts.accel !== 'tcg')
      notes.push(`TCG (software emulation): ${accel.reason}`);
    const tmp = fs.mkdtempSync(path.join(opts.tmpDir ?? os.tmpdir(), 'nixboot-rehearse-'));
    try {
      return await boot(target, opts, accel, tmp, notes, (q) => {
        qemu = q;
        for (const p of pending.splice(0)) q.write(p);
      });
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  })();
  return {
    result,
    write(data) {
      if (qemu) qemu.write(data);
      else if (pending.length < 64) pending.push(data);
    },
  };
}

async function boot(
  target: RehearsalTarget,
  opts: RehearseOptions,
  accel: AccelProbe,
  tmp: string,
  notes: string[],
  started: (q: QemuProcess) => void,
): Promise<RehearsalResult> {
  const signal = opts.signal;
  const cancelledResult = (): RehearsalResult => ({
    verdict: 'cancelled',
    ok: false,
    summary: SUMMARY.cancelled,
    timeMs: 0,
    events: [],
    causes: [],
    hooks: [],
    accel,
    target,
    appended: kernelCommandLine(target.params),
    qemu: { args: [] },
    notes,
    console: '',
  });
  if (signal?.aborted) return cancelledResult();
  const facts = await readInitrdFacts(target.initrd, opts.cacheDir, signal);
  if (signal?.aborted) return cancelledResult();
  if (facts.note) notes.push(facts.note);
  let initrd = target.initrd;
  let secrets: RehearsalResult['secrets'];
  if (target.secrets.length) {
    const s = await withSecrets(target.initrd, target.secrets, tmp, signal);
    initrd = s.file;
    secrets = { paths: target.secrets, note: s.note };
  }
  const sshOn = opts.ssh === true || ((opts.ssh ?? 'auto') === 'auto' && facts.hasSshd);
  const guestPort = opts.sshPort ?? facts.sshPort ?? 22;
  const hostPort = sshOn ? await freePort() : undefined;
  const scratch = path.join(tmp, 'scratch.img');
  fs.writeFileSync(scratch, '');
  fs.truncateSync(scratch, 64 << 20);
  const appended = kernelCommandLine(target.params);
  const log = new ConsoleLog();
  const events: ConsoleEvent[] = [];
  const decoder = new TextDecoder('utf-8');
  const timed: TimedLine[] = [];
  let timedBytes = 0;
  let lastPartial: TimedLine | undefined;
  const t0 = Date.now();
  const now = () => Date.now() - t0;
  let terminal: ConsoleEvent | undefined;
  let resolveTerminal!: (e: ConsoleEvent) => void;
  const terminalP = new Promise<ConsoleEvent>((r) => (resolveTerminal = r));
  let promptTimer: NodeJS.Timeout | undefined;
  const emit = (e: ConsoleEvent) => {
    if (e.kind === 'root-wait' && events.some((x) => x.kind === 'root-wait')) return;
    // After the verdict: QEMU's end (we kill it), a time-out or a cancel say nothing about the boot.
    if (terminal && (e.kind === 'qemu-exit' || e.kind === 'timeout' || e.kind === 'cancelled')) return;
    if (events.length < 2000) events.push(e);
    opts.onEvent?.(e);
    if (TERMINAL.has(e.kind) && !terminal) {
      terminal = e;
      resolveTerminal(e);
    }
  };
  const onOutput = (b: Buffer) => {
    const text = decoder.decode(b, { stream: true });
    opts.onConsole?.(text);
    const t = now();
    for (const line of log.push(text)) {
      // Lines without the kernel's `[  1.23]` stamp (what /init and its commands print; the kernel's
      // own `Run /init` is hidden by NixOS's default loglevel=4) are kept with their times: they
      // bound when each hook ran.
      const clean = cleanLine(line);
      if (clean && !STAMP.test(clean) && timed.length < MAX_TIMED_LINES && timedBytes < MAX_TIMED_BYTES) {
        timed.push({ t, text: clean });
        timedBytes += clean.length;
      }
      for (const e of classify(line, t)) emit(e);
    }
    // An unfinished line keeps the time it first appeared at (`echo -n "waiting…"` then a dot a second).
    const partial = cleanLine(log.unfinished);
    if (!partial) lastPartial = undefined;
    else if (!lastPartial || !partial.startsWith(lastPartial.text))
      lastPartial = { t, text: partial, partial: true };
    else lastPartial = { ...lastPartial, text: partial };
    // NixOS prints `echo -n "waiting for device $device to appear..."`: the wait starts on an unfinished line.
    if (!terminal) for (const e of classify(log.unfinished, t)) if (e.kind === 'root-wait') emit(e);
    if (promptTimer) clearTimeout(promptTimer);
    promptTimer = setTimeout(() => {
      if (!terminal && isPrompt(log.unfinished))
        emit({ t: now(), kind: 'prompt', text: log.unfinished.trim() });
    }, opts.promptQuietMs ?? 1500);
  };
  const q = startQemu(
    {
      accel: accel.accel,
      kernel: target.kernel,
      initrd,
      append: appended,
      scratchDisk: scratch,
      forwards: hostPort ? [{ host: hostPort, guest: guestPort }] : [],
      memoryMiB: opts.memoryMiB,
    },
    onOutput,
  );
  track(q);
  started(q);
  const timeoutMs = opts.timeoutMs ?? 90_000;
  const timer = setTimeout(
    () => emit({ t: now(), kind: 'timeout', text: `no verdict after ${Math.round(timeoutMs / 1000)} s` }),
    timeoutMs,
  );
  const onAbort = () => emit({ t: now(), kind: 'cancelled', text: 'cancelled' });
  signal?.addEventListener('abort', onAbort, { once: true });
  let exitInfo: string | undefined;
  void q.exited.then((x) => {
    exitInfo = x.error ? x.error.message : x.signal ? `killed by ${x.signal}` : `exit status ${x.code}`;
    if (x.error || (x.code !== 0 && x.code !== null))
      notes.push(
        `QEMU: ${exitInfo}${x.stderr.trim() ? `: ${x.stderr.trim().split('\n').slice(-3).join(' / ')}` : ''}`,
      );
    // Let the last console bytes be read before calling it an exit.
    setTimeout(() => emit({ t: now(), kind: 'qemu-exit', text: exitInfo! }), 50);
  });

  // SSH: probe the forwarded port until a banner answers.
  let banner: { line: string; at: number } | undefined;
  const sshAbort = new AbortController();
  const sshLoop = (async () => {
    if (!hostPort) return;
    while (!sshAbort.signal.aborted && !banner) {
      const started = now();
      const line = await readBanner(hostPort, 1500, sshAbort.signal);
      if (line) {
        banner = { line, at: now() };
        emit({ t: banner.at, kind: 'ssh', text: line });
        break;
      }
      const wait = Math.max(0, 500 - (now() - started));
      await new Promise((r) => setTimeout(r, wait));
    }
  })();

  const end = await terminalP;
  const cpuMs = q.cpuMs();
  clearTimeout(timer);
  signal?.removeEventListener('abort', onAbort);
  // A little longer for the lines after the verdict (panic details) and, when the VM still runs,
  // for an SSH banner that has not answered yet.
  if (end.kind !== 'cancelled' && end.kind !== 'qemu-exit' && end.kind !== 'timeout') {
    const grace = hostPort && !banner && end.kind !== 'kernel-panic' ? 5000 : 400;
    const until = Date.now() + grace;
    while (Date.now() < until && !(grace > 400 && banner) && !signal?.aborted)
      await new Promise((r) => setTimeout(r, 100));
  }
  if (promptTimer) clearTimeout(promptTimer);
  sshAbort.abort();
  q.kill();
  const exit = await q.exited;
  live.delete(q);
  await sshLoop;
  if (exit.error && !events.some((e) => e.kind === 'kernel'))
    throw new RehearsalError(
      exit.error.message,
      /not found on PATH/.test(exit.error.message) ? 'no-qemu' : 'input',
    );
  if (end.kind === 'qemu-exit' && !events.some((e) => e.kind === 'kernel') && exit.stderr.trim())
    throw new RehearsalError(
      `QEMU could not boot ${target.kernel}: ${exit.stderr.trim().split('\n').slice(-3).join(' / ')}`,
    );

  const has = (k: EventKind) => events.find((e) => e.kind === k);
  let verdict: Verdict;
  switch (end.kind) {
    case 'root-wait':
      verdict = has('command-not-found')
        ? 'command-not-found'
        : has('unit-failed')
          ? 'unit-failed'
          : 'healthy';
      break;
    case 'stage1-fail':
    case 'kernel-panic':
    case 'emergency':
    case 'prompt':
    case 'timeout':
    case 'cancelled':
      verdict = end.kind;
      break;
    default:
      verdict = has('kernel-panic') ? 'kernel-panic' : 'qemu-exit';
  }

  const map = new ConfigMap(opts.config ?? [], facts.init);
  const causes: ConfigLocation[] = [];
  const extra: string[] = [];
  for (const e of events) {
    if (e.kind === 'command-not-found' && e.script === '/init' && e.line !== undefined) {
      const loc = map.initLine(e.line);
      if (loc && !causes.some((c) => c.file === loc.file && c.line === loc.line)) causes.push(loc);
      extra.push(
        `\`${e.command}\` not found at /init line ${e.line}${loc ? ` (${loc.option}, ${loc.file}:${loc.line})` : ''}`,
      );
    }
    if (e.kind === 'unit-failed') {
      const loc = e.unit ? map.unit(e.unit) : undefined;
      if (loc && !causes.some((c) => c.option === loc.option)) causes.push(loc);
      // systemd prints a failure twice (status line, kernel log line); name each unit once.
      if (!e.unit && events.some((x) => x.kind === 'unit-failed' && x.unit)) continue;
      const what = `failed unit ${e.unit ?? e.text}`;
      if (!extra.some((x) => x.startsWith(what)))
        extra.push(`${what}${loc ? ` (${loc.option}, ${loc.file}:${loc.line})` : ''}`);
    }
  }
  if (
    (verdict === 'stage1-fail' ||
      (verdict === 'kernel-panic' && /Attempted to kill init/.test(has('kernel-panic')?.text ?? ''))) &&
    !has('command-not-found')
  ) {
    // fail() ran with no error of its own on the console: a statement that ends PID 1 is the likely cause.
    for (const loc of map.fatalStatements()) {
      causes.push(loc);
      extra.push(
        `\`${loc.text}\` at the top level of ${loc.option} (${loc.file}:${loc.line}, /init line ${loc.initLine}) ends PID 1 and fires fail()`,
      );
    }
  }
  const hooks =
    facts.init !== undefined && verdict !== 'cancelled'
      ? hookTimings(facts.init, map.hookPlacements(), lastPartial ? [...timed, lastPartial] : timed, {
          t: end.t,
          what: end.kind,
        })
      : [];
  let summary = SUMMARY[verdict];
  if (verdict === 'kernel-panic')
    summary += `: ${has('kernel-panic')!.text.replace(/^.*Kernel panic - not syncing: /, '')}`;
  if (verdict === 'prompt') summary += `: "${end.text}"`;
  if (extra.length) summary += `; ${extra.join('; ')}`;
  if (hostPort)
    summary += banner
      ? `; SSH answered on 127.0.0.1:${hostPort} (${banner.line}) ${(banner.at / 1000).toFixed(1)} s after power-on`
      : `; SSH (guest port ${guestPort}) never answered`;
  if (log.truncated) notes.push('console output longer than 256 KiB: only its end is kept');
  return {
    verdict,
    ok: verdict === 'healthy',
    summary,
    timeMs: end.t,
    events,
    causes,
    hooks,
    ssh: hostPort ? { hostPort, guestPort, banner: banner?.line, atMs: banner?.at } : undefined,
    secrets,
    accel,
    target,
    appended,
    qemu: { args: q.args, peakRssBytes: q.peakRss(), cpuMs, exit: exitInfo },
    notes,
    console: log.text(),
  };
}
