import assert from 'node:assert/strict';
import { test } from 'node:test';
import { debugTree, parse, printTree } from '../../server/src/syntax/index';

test('smoke', () => {
  for (const src of [
    '{ a = 1; b.c = "x${y}z"; }',
    'x: y: x + y * 2',
    '{ a ? 1, ... }@args: args.a or 3',
    'let a = ./foo/${b}; in [ a <nixpkgs> http://x.org/y ]',
    "''\n  a\n    b ''$x '''\n''",
    '',
    '{ a = 1 b = 2; }',
  ]) {
    const r = parse(src);
    assert.equal(printTree(r.root), src);
    if (process.env.DUMP) console.log(debugTree(r.root), r.errors);
  }
});
