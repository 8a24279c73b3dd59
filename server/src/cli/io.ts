// What a CLI subcommand gets: its arguments and where to write. Tests run commands in-process
// through the same interface.

export interface CliIO {
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  out(text: string): void;
  /** Raw bytes to stdout (e.g. `nixboot initrd cat`). */
  outBytes(bytes: Uint8Array): Promise<void>;
  err(text: string): void;
  /** Aborted on SIGINT. */
  readonly signal: AbortSignal;
}

export interface CliCommand {
  /** The first word after `nixboot`, e.g. `lint` or `initrd`. */
  readonly name: string;
  /** One line for `nixboot --help`. */
  readonly summary: string;
  /** Full usage text for `nixboot NAME --help`. */
  readonly usage: string;
  /** Returns the exit code: 0 ok, 1 findings/failed check, 2 usage or I/O error. */
  run(args: string[], io: CliIO): Promise<number>;
}

/** A usage or input error: the CLI prints its message on one line and exits 2. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 2,
  ) {
    super(message);
  }
}
