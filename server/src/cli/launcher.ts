// The `nixboot` executable (dist/cli.js): a launcher small enough to start at once. `nixboot
// initrd …` runs the initrd-only bundle (dist/cli-initrd.js), anything else the whole CLI
// (dist/cli-main.js); both sit beside this file and are left out of its bundle.
if (process.argv[2] === 'initrd') require('./cli-initrd.js');
else require('./cli-main.js');
