// `nixboot lock …` as its own bundle (dist/cli-lock.js): flake.lock, NAR and git code only, so a
// find-rev or verify starts without parsing the linter (dist/cli.js picks this bundle).
import { exitWith, processIO, runCommand } from './dispatch';
import { lockCommand } from './lock';

exitWith(runCommand(lockCommand, process.argv.slice(3), processIO()));
