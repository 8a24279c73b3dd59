// `nixboot hash-path` and `nixboot store-path`: NAR hashes and fixed-output store paths.
import { lstat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { fixedOutputPath, formatHash, parseSha256, type HashBase } from '../nar/encoding';
import { hashPath } from '../nar/nar';
import type { CliCommand } from './io';
import { CliError } from './io';
import { readArgs, unknownOption } from './args';

const BASES: Record<string, HashBase> = {
  sri: 'sri',
  base16: 'base16',
  nix32: 'nix32',
  base32: 'nix32',
  base64: 'base64',
};

function parseBase(v: string): HashBase {
  const b = BASES[v];
  if (!b) throw new CliError(`unknown base '${v}' (sri, base16, nix32, base64)`);
  return b;
}

export const hashPathCommand: CliCommand = {
  name: 'hash-path',
  summary: "SHA-256 of a path's NAR serialisation (same output as `nix hash path`)",
  usage: [
    'Usage: nixboot hash-path [--base sri|base16|nix32|base64] [--store-path [--name NAME]] PATH...',
    '',
    'Prints the SHA-256 of the NAR serialisation of each PATH, exactly as `nix hash path` does',
    '(SRI by default). --store-path also prints the store path that `nix-store --add-fixed',
    '--recursive sha256` would give the tree (name `source` unless --name), i.e. where a flake',
    'input with that narHash lives.',
  ].join('\n'),
  async run(args, io) {
    let base: HashBase = 'sri';
    let storePath = false;
    let name: string | undefined;
    const paths: string[] = [];
    for (const arg of readArgs(args)) {
      const a = arg.name;
      if (arg.positional) paths.push(a);
      else if (a === '--base') base = parseBase(arg.value());
      else if (a === '--base16' || a === '--sri' || a === '--base64') base = parseBase(a.slice(2));
      else if (a === '--base32' || a === '--nix32') base = 'nix32';
      else if (a === '--store-path') storePath = true;
      else if (a === '--name') name = arg.value();
      else throw unknownOption(arg);
    }
    if (paths.length === 0) throw new CliError('no PATH given (see nixboot hash-path --help)');
    for (const p of paths) {
      const abs = resolve(io.cwd, p);
      await lstat(abs);
      const { hash } = await hashPath(abs, { signal: io.signal });
      if (storePath) {
        const n = name ?? 'source';
        try {
          io.out(`${formatHash(hash, base)}\t${fixedOutputPath(hash, n)}\n`);
        } catch (e) {
          throw new CliError((e as Error).message);
        }
      } else io.out(`${formatHash(hash, base)}\n`);
    }
    return 0;
  },
};

export const storePathCommand: CliCommand = {
  name: 'store-path',
  summary: 'store path implied by a narHash (like `nix-store --print-fixed-path --recursive sha256`)',
  usage: [
    'Usage: nixboot store-path [--name NAME] [--flat] HASH',
    '',
    'Prints the store path of a fixed-output path with the given SHA-256 (SRI, base16 or nix32):',
    'recursive (NAR) by default, as for flake inputs (name `source`); --flat for a flat file hash.',
  ].join('\n'),
  async run(args, io) {
    let name = 'source';
    let recursive = true;
    const rest: string[] = [];
    for (const arg of readArgs(args)) {
      if (arg.positional) rest.push(arg.name);
      else if (arg.name === '--name') name = arg.value();
      else if (arg.name === '--flat') recursive = false;
      else throw unknownOption(arg);
    }
    if (rest.length !== 1) throw new CliError('expected one HASH (see nixboot store-path --help)');
    try {
      io.out(`${fixedOutputPath(parseSha256(rest[0]!), name, recursive)}\n`);
    } catch (e) {
      throw new CliError((e as Error).message);
    }
    return 0;
  },
};
