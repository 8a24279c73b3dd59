// `nixboot initrd …` as its own bundle (dist/cli-initrd.js): only the initrd engine is loaded,
// so opening an image does not first parse the linter (dist/cli.js picks this bundle).
import { exitWith, processIO, runCommand } from './dispatch';
import { initrdCommand } from './initrd';

exitWith(runCommand(initrdCommand, process.argv.slice(3), processIO()));
