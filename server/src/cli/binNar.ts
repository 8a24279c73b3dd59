// `nixboot hash-path …` and `nixboot store-path …` as their own bundle (dist/cli-nar.js): only the
// NAR code is loaded, so hashing starts without parsing the rest of the CLI (dist/cli.js picks it).
import { exitWith, processIO, runCommand } from './dispatch';
import { hashPathCommand, storePathCommand } from './nar';

exitWith(
  runCommand(
    process.argv[2] === 'store-path' ? storePathCommand : hashPathCommand,
    process.argv.slice(3),
    processIO(),
  ),
);
