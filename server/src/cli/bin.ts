// The whole `nixboot` command line (dist/cli-main.js, started by the dist/cli.js launcher).
import { exitWith } from './dispatch';
import { processIO, runCli } from './main';

exitWith(runCli(process.argv.slice(2), processIO()));
