// Nix's own language tests (NixOS/nix tests/functional/lang, LGPL-2.1: not copied here). With
// NIX_LANG_TESTS set to such a directory, every file's verdict — parses or not — must equal
// `nix-instantiate --parse`'s (scripts/nix-lang-oracle.ts, which also says where a newer Nix than
// the one installed is followed). docs/parser.md records the last run and the nix commit.
// Our own fixtures for each corner case are in test/syntax/data/{ok,err} and run without this.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { test } from 'node:test';
import { oracle } from '../../scripts/nix-lang-oracle';
import { hasProgram } from '../nixEnv';

const dir = process.env.NIX_LANG_TESTS;
const skip = !dir
  ? 'set NIX_LANG_TESTS to a checkout of NixOS/nix tests/functional/lang'
  : !existsSync(dir)
    ? `${dir} does not exist`
    : !hasProgram('nix-instantiate')
      ? 'needs nix-instantiate'
      : false;

test('(real nix) verdicts on NixOS/nix tests/functional/lang equal nix-instantiate --parse', { skip }, () => {
  const verdicts = oracle(dir!);
  assert.ok(verdicts.length > 100, `${verdicts.length} files`);
  const differ = verdicts
    .filter((v) => v.nix !== v.ours)
    .map(
      (v) =>
        `${v.file}: nix ${v.nix ? 'parses' : `rejects (${v.nixWhy})`}, nixboot ${v.ours ? 'parses' : `rejects (${v.oursWhy})`}`,
    );
  assert.deepEqual(differ, []);
});
