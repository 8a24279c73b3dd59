// Command-line arguments as every nixboot command reads them: `--opt VALUE` and `--opt=VALUE`,
// flags, positional arguments, and `--` after which everything is positional. One reader, so
// every command accepts the same forms and says the same thing about a missing value or an
// unknown option.
import { CliError } from './io';

export interface Arg {
  /** The option as typed without its `=VALUE` (e.g. `--root`), or the positional argument. */
  readonly name: string;
  readonly positional: boolean;
  /** The option's value: after `=`, else the next argument (a CliError when there is none). */
  value(): string;
}

export function* readArgs(args: readonly string[]): Generator<Arg> {
  let i = 0;
  while (i < args.length) {
    const a = args[i++]!;
    if (a === '--') {
      for (const rest of args.slice(i)) yield positional(rest);
      return;
    }
    if (!a.startsWith('-') || a === '-') {
      yield positional(a);
      continue;
    }
    const eq = a.startsWith('--') ? a.indexOf('=') : -1;
    const name = eq >= 0 ? a.slice(0, eq) : a;
    let taken = false;
    yield {
      name,
      positional: false,
      value: () => {
        if (taken) throw new Error(`${name}: value() called twice`);
        taken = true;
        if (eq >= 0) return a.slice(eq + 1);
        const v = args[i];
        if (v === undefined) throw new CliError(`${name} needs a value`);
        i++;
        return v;
      },
    };
    if (eq >= 0 && !taken) throw new CliError(`${name} takes no value (got '${a}')`);
  }
}

function positional(a: string): Arg {
  return {
    name: a,
    positional: true,
    value: () => a,
  };
}

export function unknownOption(arg: Arg): CliError {
  return new CliError(`unknown option '${arg.name}'`);
}
