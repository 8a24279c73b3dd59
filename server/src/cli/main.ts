// `nixboot` command line: a thin dispatcher over the engine. Each subcommand lives in its own
// module and is listed once in COMMANDS.
import type { CliCommand, CliIO } from './io';
import { runCommand } from './dispatch';
import { explainCommand, lintCommand } from './lint';
import { initrdCommand } from './initrd';
import { hashPathCommand, storePathCommand } from './nar';
import { lockCommand } from './lock';
import { provenanceCommand } from './provenance';
import { narDiffCommand } from './narDiff';
import { generationsCommand } from './generations';
import { rehearseCommand } from './rehearse';

// Subcommand registry (one line per command module).
const COMMANDS: CliCommand[] = [
  initrdCommand,
  lintCommand,
  explainCommand,
  hashPathCommand,
  storePathCommand,
  lockCommand,
  provenanceCommand,
  narDiffCommand,
  generationsCommand,
  rehearseCommand,
];

const VERSION = '0.1.0';

function help(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length), 4);
  return [
    'nixboot — debug NixOS boot configuration',
    '',
    'Usage: nixboot <command> [options]',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Run `nixboot <command> --help` for the options of a command.',
    '',
  ].join('\n');
}

export async function runCli(argv: string[], io: CliIO): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.out(help());
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === '-V') {
    io.out(`${VERSION}\n`);
    return 0;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    io.err(`nixboot: unknown command '${name}' (see nixboot --help)\n`);
    return 2;
  }
  return runCommand(command, rest, io);
}

export { processIO } from './dispatch';
