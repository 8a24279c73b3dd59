// A CliIO for tests that run a CLI command in-process and read what it printed.
import type { CliIO } from '../server/src/cli/io';

export function capture(): CliIO & { stdout: () => string; stderr: () => string } {
  let out = '';
  let err = '';
  return {
    cwd: process.cwd(),
    env: process.env,
    out: (t) => void (out += t),
    err: (t) => void (err += t),
    outBytes: async () => {},
    signal: new AbortController().signal,
    stdout: () => out,
    stderr: () => err,
  };
}
