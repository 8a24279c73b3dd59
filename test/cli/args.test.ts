// The one command-line reader every nixboot command uses (server/src/cli/args.ts).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readArgs, unknownOption } from '../../server/src/cli/args';

function read(args: string[], withValue: string[]): Array<[string, string | true]> {
  const out: Array<[string, string | true]> = [];
  for (const a of readArgs(args)) {
    if (a.positional) out.push(['', a.name]);
    else if (withValue.includes(a.name)) out.push([a.name, a.value()]);
    else if (a.name === '--json' || a.name === '-g') out.push([a.name, true]);
    else throw unknownOption(a);
  }
  return out;
}

test('options take their value as the next argument or after =; -- ends the options', () => {
  assert.deepEqual(read(['--root', '/mnt', 'a', '--root=/x=y', '--json', '--', '--json', '-'], ['--root']), [
    ['--root', '/mnt'],
    ['', 'a'],
    ['--root', '/x=y'],
    ['--json', true],
    ['', '--json'],
    ['', '-'],
  ]);
  assert.deepEqual(read(['-g', 'x'], []), [
    ['-g', true],
    ['', 'x'],
  ]);
});

test('a missing value, a value given to a flag and an unknown option are said plainly', () => {
  assert.throws(() => read(['--root'], ['--root']), /: --root needs a value$/);
  assert.throws(() => read(['--json=yes'], []), /--json takes no value \(got '--json=yes'\)/);
  assert.throws(() => read(['--bogus', 'x'], []), /unknown option '--bogus'/);
});
