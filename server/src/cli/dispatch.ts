// Running one subcommand with the CLI's error conventions, and the process's CliIO. Shared by the
// whole CLI (main.ts) and the initrd-only bundle (binInitrd.ts), which must not import main.ts.
import type { CliCommand, CliIO } from './io';
import { CliError } from './io';
import { terminalSafe } from '../text';

/** Runs `command` with its arguments: `--help` prints its usage; usage and I/O errors exit 2. */
export async function runCommand(command: CliCommand, rest: string[], io: CliIO): Promise<number> {
  const name = command.name;
  if (rest.length > 0 && (rest[0] === '--help' || rest[0] === '-h')) {
    io.out(command.usage.endsWith('\n') ? command.usage : `${command.usage}\n`);
    return 0;
  }
  try {
    return await command.run(rest, io);
  } catch (e) {
    if (e instanceof CliError) {
      io.err(`nixboot ${name}: ${e.message}\n`);
      return e.exitCode;
    }
    const err = e as NodeJS.ErrnoException;
    if (err && typeof err.code === 'string' && typeof err.message === 'string') {
      io.err(`nixboot ${name}: ${err.message}\n`);
      return 2;
    }
    throw e;
  }
}

export function processIO(): CliIO {
  const controller = new AbortController();
  process.once('SIGINT', () => controller.abort());
  // `nixboot … | head -1`: a closed pipe ends the command quietly, as SIGPIPE ends other tools.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE') throw e;
    controller.abort();
    process.exit(process.exitCode ?? 0);
  });
  return {
    cwd: process.cwd(),
    env: process.env,
    // Text output never carries terminal control sequences (a crafted name cannot move the cursor).
    out: (t) => void process.stdout.write(terminalSafe(t)),
    err: (t) => void process.stderr.write(terminalSafe(t)),
    outBytes: (b) =>
      new Promise((resolve, reject) => {
        process.stdout.write(b, (e) => (e ? reject(e) : resolve()));
      }),
    signal: controller.signal,
  };
}

/** Sets the exit code from a command's promise; an unexpected error is reported as internal. */
export function exitWith(result: Promise<number>): void {
  result.then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      process.stderr.write(
        terminalSafe(`nixboot: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`),
      );
      process.exitCode = 2;
    },
  );
}
