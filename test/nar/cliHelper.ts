// In-process CLI runner for provenance/NAR tests.
import type { CliCommand, CliIO } from '../../server/src/cli/io';
import { CliError } from '../../server/src/cli/io';

export async function runCommand(
  cmd: CliCommand,
  args: string[],
  cwd = process.cwd(),
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIO = {
    cwd,
    env,
    out: (t) => void (out += t),
    err: (t) => void (err += t),
    outBytes: async (b) => void (out += Buffer.from(b).toString('latin1')),
    signal: new AbortController().signal,
  };
  try {
    return { code: await cmd.run(args, io), out, err };
  } catch (e) {
    if (e instanceof CliError) return { code: e.exitCode, out, err: err + e.message };
    throw e;
  }
}
