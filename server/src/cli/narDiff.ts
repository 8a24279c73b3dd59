// `nixboot nar-diff A B`: compare two store paths, directories or NAR files (e.g. an output and
// its `nix-build --check` rebuild).
import { resolve } from 'node:path';
import { diffTrees, loadTree, renderDiff } from '../nar/diff';
import type { CliCommand } from './io';
import { CliError } from './io';
import { readArgs, unknownOption } from './args';

export const narDiffCommand: CliCommand = {
  name: 'nar-diff',
  summary: 'compare two store paths or NAR files: byte ranges, ELF sections, Mach-O page-hash slots',
  usage: [
    'Usage: nixboot nar-diff [--json] A B',
    '',
    'A and B are store paths, directories or NAR files (`nix-store --dump` output). Prints each',
    'added, removed or changed entry; for changed files, the differing byte ranges, the ELF',
    'sections they fall in, and for Mach-O files the LC_CODE_SIGNATURE CodeDirectory page-hash',
    'slots that no longer match the file. Exit 0 when identical, 1 when they differ.',
  ].join('\n'),
  async run(args, io) {
    let json = false;
    const rest: string[] = [];
    for (const arg of readArgs(args)) {
      if (arg.positional) rest.push(arg.name);
      else if (arg.name === '--json') json = true;
      else throw unknownOption(arg);
    }
    if (rest.length !== 2) throw new CliError('expected two paths A B (see nixboot nar-diff --help)');
    let d;
    try {
      d = diffTrees(loadTree(resolve(io.cwd, rest[0]!)), loadTree(resolve(io.cwd, rest[1]!)));
    } catch (e) {
      throw new CliError((e as Error).message);
    }
    io.out(json ? `${JSON.stringify(d, null, 2)}\n` : renderDiff(d));
    return d.identical ? 0 : 1;
  },
};
