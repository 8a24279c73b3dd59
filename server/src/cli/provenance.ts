// `nixboot provenance PATH`: the chain of evidence from a file or store path to its source commit.
import { resolve } from 'node:path';
import { provenanceChain, type ChainResult } from '../system/provenance';
import type { CliCommand } from './io';
import { CliError } from './io';
import { readArgs, unknownOption } from './args';
import { printable } from '../text';

function renderChain(r: ChainResult): string {
  const lines = [`Provenance of ${printable(r.subject)}`, ''];
  r.links.forEach((l, i) => {
    lines.push(`${i + 1}. ${l.title}${l.ok ? '' : ' (!)'}: ${printable(l.value)}`);
    for (const d of l.details) lines.push(`     ${printable(d)}`);
    lines.push(`     $ ${printable(l.proof)}`);
  });
  for (const n of r.notes) lines.push(`note: ${printable(n)}`);
  return `${lines.join('\n')}\n`;
}

export const provenanceCommand: CliCommand = {
  name: 'provenance',
  summary: 'trace a file or store path to its deriver, sources, flake.lock input and git commit',
  usage: [
    'Usage: nixboot provenance [--lock FILE] [--repo DIR] [--json] PATH',
    '',
    'PATH is a file (followed into the store), a store path, or a path inside one (e.g. a binary',
    'listed in an initrd: /nix/store/…-sed-key-0.1.0/bin/sed-key). Each link is printed with the',
    'command that proves it. With --lock, sources are matched to a flake.lock input by narHash or',
    "store path; with --repo, the input's commit is checked (or searched) in that repository.",
  ].join('\n'),
  async run(args, io) {
    let lockFile: string | undefined;
    let repo: string | undefined;
    let json = false;
    const rest: string[] = [];
    for (const arg of readArgs(args)) {
      if (arg.positional) rest.push(arg.name);
      else if (arg.name === '--lock') lockFile = resolve(io.cwd, arg.value());
      else if (arg.name === '--repo') repo = resolve(io.cwd, arg.value());
      else if (arg.name === '--json') json = true;
      else throw unknownOption(arg);
    }
    if (rest.length !== 1) throw new CliError('expected one PATH (see nixboot provenance --help)');
    const target = rest[0]!.startsWith('/nix/store/') ? rest[0]! : resolve(io.cwd, rest[0]!);
    let r: ChainResult;
    try {
      r = await provenanceChain(target, { lockFile, repo, env: io.env, signal: io.signal });
    } catch (e) {
      throw new CliError((e as Error).message);
    }
    io.out(json ? `${JSON.stringify(r, null, 2)}\n` : renderChain(r));
    return r.links.every((l) => l.ok) ? 0 : 1;
  },
};
