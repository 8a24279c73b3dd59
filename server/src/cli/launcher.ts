// The `nixboot` executable (dist/cli.js): a launcher small enough to start at once. `nixboot
// initrd …` runs the initrd-only bundle (dist/cli-initrd.js), `hash-path`/`store-path` the NAR
// bundle (dist/cli-nar.js), `lock` the flake.lock bundle (dist/cli-lock.js), anything else the
// whole CLI (dist/cli-main.js); all sit beside this file and are left out of its bundle.
if (process.argv[2] === 'initrd') require('./cli-initrd.js');
else if (process.argv[2] === 'hash-path' || process.argv[2] === 'store-path') require('./cli-nar.js');
else if (process.argv[2] === 'lock') require('./cli-lock.js');
else require('./cli-main.js');
