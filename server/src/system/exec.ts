// The one wrapper through which nixboot runs outside programs (nix, nix-store, git, zstd …).
// Explicit argv (never a shell string), stdin closed unless given, a time-out, an AbortSignal,
// and errors that quote the command, its exit status and stderr.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { execa } from 'execa';

export interface RunOptions {
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** Milliseconds; default 60 s. */
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
  /** Bytes or text for stdin; stdin is closed (`ignore`) when absent. */
  readonly input?: string | Uint8Array;
  /** Return stdout as bytes instead of text. */
  readonly binary?: boolean;
  /** Largest stdout accepted, in bytes (default 256 MiB). */
  readonly maxBuffer?: number;
  /** Exit codes that are not errors (default [0]). */
  readonly okCodes?: readonly number[];
}

export interface RunResult<T = string> {
  readonly stdout: T;
  readonly stderr: string;
  readonly exitCode: number;
}

/** The program is not installed (ENOENT). The message says what to install. */
class ProgramMissingError extends Error {
  constructor(readonly program: string) {
    super(`'${program}' was not found on PATH${HINTS[program] ? ` (${HINTS[program]})` : ''}`);
    this.name = 'ProgramMissingError';
  }
}

/** The program ran and failed, timed out or was cancelled. */
class ExecError extends Error {
  constructor(
    readonly command: string,
    readonly exitCode: number | undefined,
    readonly stderr: string,
    readonly reason: 'failed' | 'timeout' | 'cancelled',
  ) {
    const tail = stderr.trim().split('\n').slice(-5).join('\n');
    super(
      reason === 'timeout'
        ? `\`${command}\` timed out`
        : reason === 'cancelled'
          ? `\`${command}\` was cancelled`
          : `\`${command}\` exited with status ${exitCode}${tail ? `: ${tail}` : ''}`,
    );
    this.name = 'ExecError';
  }
}

const HINTS: Record<string, string> = {
  nix: 'install Nix, e.g. `apt-get install nix-bin`',
  'nix-store': 'install Nix, e.g. `apt-get install nix-bin`',
  'nix-instantiate': 'install Nix, e.g. `apt-get install nix-bin`',
  'nix-env': 'install Nix, e.g. `apt-get install nix-bin`',
  git: 'install git',
};

export function quoteCommand(program: string, args: readonly string[]): string {
  return [program, ...args]
    .map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`))
    .join(' ');
}

export async function run(
  program: string,
  args: readonly string[],
  opts: RunOptions & { binary: true },
): Promise<RunResult<Buffer>>;
export async function run(
  program: string,
  args: readonly string[],
  opts?: RunOptions,
): Promise<RunResult<string>>;
export async function run(
  program: string,
  args: readonly string[],
  opts: RunOptions = {},
): Promise<RunResult<string | Buffer>> {
  const command = quoteCommand(program, args);
  const okCodes = opts.okCodes ?? [0];
  try {
    const r = await execa(program, [...args], {
      cwd: opts.cwd,
      env: opts.env,
      extendEnv: opts.env === undefined,
      timeout: opts.timeoutMs ?? 60_000,
      cancelSignal: opts.signal,
      input: opts.input === undefined ? undefined : typeof opts.input === 'string' ? opts.input : opts.input,
      stdin: opts.input === undefined ? 'ignore' : 'pipe',
      encoding: opts.binary ? 'buffer' : 'utf8',
      maxBuffer: opts.maxBuffer ?? 256 * 1024 * 1024,
      stripFinalNewline: false,
      reject: false,
    });
    if (r.failed && (r as { code?: string }).code === 'ENOENT') throw new ProgramMissingError(program);
    if (r.timedOut) throw new ExecError(command, r.exitCode, String(r.stderr ?? ''), 'timeout');
    if (r.isCanceled) throw new ExecError(command, r.exitCode, String(r.stderr ?? ''), 'cancelled');
    const exitCode = r.exitCode ?? -1;
    if (!okCodes.includes(exitCode))
      throw new ExecError(command, r.exitCode, String(r.stderr ?? ''), 'failed');
    const stdout = opts.binary ? Buffer.from(r.stdout as unknown as Uint8Array) : String(r.stdout);
    return { stdout, stderr: String(r.stderr ?? ''), exitCode };
  } catch (e) {
    if (e instanceof ProgramMissingError || e instanceof ExecError) throw e;
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new ProgramMissingError(program);
    throw e;
  }
}

/** Whether a program is on PATH, found without spawning anything (cached per PATH value). */
const onPathCache = new Map<string, boolean>();
export function onPath(program: string): boolean {
  const searched = process.env.PATH ?? '';
  const key = `${searched}\0${program}`;
  let found = onPathCache.get(key);
  if (found === undefined) {
    found = false;
    for (const dir of searched.split(path.delimiter)) {
      if (!dir) continue;
      try {
        fs.accessSync(path.join(dir, program), fs.constants.X_OK);
        if (fs.statSync(path.join(dir, program)).isFile()) {
          found = true;
          break;
        }
      } catch {
        // not here
      }
    }
    onPathCache.set(key, found);
  }
  return found;
}

export interface FdProcessExit {
  /** Exit status (null when killed by a signal or not started). */
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** The first 4 KiB of stderr. */
  readonly stderr: string;
  /** Set when the program could not be started (ProgramMissingError for ENOENT), timed out or was cancelled. */
  readonly error?: Error;
}

export interface FdProcess {
  readonly command: string;
  /** The program's stdin when it was asked for as a pipe. */
  readonly stdin: Writable | null;
  /** The program's stdout when it was asked for as a pipe (read it as a stream, with backpressure). */
  readonly stdout: Readable | null;
  /** Resolves once the program has exited (never rejects). */
  readonly exited: Promise<FdProcessExit>;
  readonly running: boolean;
  /** Kills the program (SIGKILL); harmless after it exited. */
  kill(): void;
}

/**
 * Starts a program whose stdout is an open file descriptor (e.g. `zstd -dc` writing straight into
 * a cache file the caller opened), so its output never passes through this process, or a pipe
 * read as a stream (e.g. `bzip2 -dc`, whose output is checked chunk by chunk). stdin is
 * another descriptor (read from its current offset) or a pipe; explicit argv, a time-out and an
 * AbortSignal kill it.
 */
export function spawnToFd(
  program: string,
  args: readonly string[],
  opts: { stdin: number | 'pipe'; stdoutFd: number | 'pipe'; signal?: AbortSignal; timeoutMs?: number },
): FdProcess {
  const command = quoteCommand(program, args);
  let running = true;
  let stderr = '';
  let error: Error | undefined;
  const child = spawn(program, [...args], { stdio: [opts.stdin, opts.stdoutFd, 'pipe'], windowsHide: true });
  const kill = () => {
    if (running) child.kill('SIGKILL');
  };
  const onAbort = () => {
    error ??= new ExecError(command, undefined, stderr, 'cancelled');
    kill();
  };
  if (opts.signal?.aborted) onAbort();
  else opts.signal?.addEventListener('abort', onAbort, { once: true });
  const timer = opts.timeoutMs
    ? setTimeout(() => {
        error ??= new ExecError(command, undefined, stderr, 'timeout');
        kill();
      }, opts.timeoutMs)
    : undefined;
  child.stderr!.on('data', (d: Buffer) => {
    if (stderr.length < 4096) stderr += d.toString('utf8').slice(0, 4096 - stderr.length);
  });
  // a child that exits early closes its stdin: writes then fail with EPIPE, which the exit reports
  child.stdin?.on('error', () => undefined);
  const exited = new Promise<FdProcessExit>((resolve) => {
    let settled = false;
    const done = (code: number | null, sig: NodeJS.Signals | null) => {
      if (settled) return;
      settled = true;
      running = false;
      if (timer) clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      resolve({ code, signal: sig, stderr, ...(error ? { error } : {}) });
    };
    child.on('error', (e: NodeJS.ErrnoException) => {
      error ??= e.code === 'ENOENT' ? new ProgramMissingError(program) : e;
      done(null, null);
    });
    child.on('close', (code, sig) => done(code, sig));
  });
  return {
    command,
    stdin: child.stdin,
    stdout: child.stdout,
    exited,
    get running() {
      return running;
    },
    kill,
  };
}
