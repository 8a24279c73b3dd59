// Compares nixboot's parser with the real Nix on Nix's own language tests.
//
//   npx tsx scripts/nix-lang-oracle.ts <nix-checkout>/tests/functional/lang [--json]
//
// For every `*.nix` file directly in that directory (parse-okay-*, parse-fail-*, eval-okay-*,
// eval-fail-* and the helpers they import), it asks `nix-instantiate --parse FILE` whether the
// file parses, asks our parser (server/src/syntax) the same, and prints every file where the two
// verdicts differ. Exit status: 0 when they agree on every file, 1 otherwise, 2 on usage errors.
//
// What counts as "parses":
// - nix-instantiate exits 0; or it fails with a name-resolution error that Nix raises while
//   parsing but that is not a grammar error (`undefined variable`, `attribute … already defined`,
//   `duplicate formal function argument`): nixboot's parser checks syntax only, like the test
//   oracle in test/syntax/oracle.test.ts.
// - Where the Nix installed here is older than the test (Debian's Nix 2.8 against tests of a
//   newer Nix), the newer Nix is followed, and the output says so on the file's line:
//   * pipe operators `|>` / `<|` (Nix ≥ 2.24, experimental feature `pipe-operators`): Nix 2.8 has
//     no such tokens and rejects them as an invalid token; a newer Nix parses them (when the
//     feature is disabled it refuses them with "experimental Nix feature 'pipe-operators' is
//     disabled", a feature gate, not a syntax error). Counted as "parses".
//   * a crash of nix-instantiate (killed by a signal: Nix 2.8 segfaults on a string that runs into
//     the end of the file): the file's name says what the newer Nix does (parse-fail-* fails,
//     everything else parses).
// This script only reads the test files; they are LGPL-2.1 and are not copied into this
// repository (our own minimal fixtures for each corner case are in test/syntax/data/).
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from '../server/src/syntax/index';

const SEMANTIC = /undefined variable|already defined|duplicate formal function argument/;
const NIX_CONFIG = [
  'sandbox = false',
  'substituters =',
  'build-users-group =',
  'experimental-features = nix-command flakes',
].join('\n');

export interface Verdict {
  readonly file: string;
  readonly nix: boolean;
  /** Why nix's verdict is what it is (first error line, or the newer-Nix rule applied). */
  readonly nixWhy: string;
  /** The verdict follows a newer Nix than the one installed (see the header). */
  readonly newer: boolean;
  readonly ours: boolean;
  readonly oursWhy: string;
}

function hasPipeOperator(text: string): boolean {
  // Outside strings and comments is not checked: the rule only decides between Nix 2.8's
  // "invalid token" and a newer Nix, and our own parser must still accept the file.
  return /\|>|<\|/.test(text);
}

export function nixVerdict(
  path: string,
  name: string,
  text: string,
): { ok: boolean; why: string; newer: boolean } {
  const r = spawnSync('nix-instantiate', ['--parse', path], {
    encoding: 'utf8',
    env: { ...process.env, NIX_CONFIG },
    timeout: 60_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.error) throw new Error(`cannot run nix-instantiate: ${r.error.message}`);
  const firstError = (r.stderr.split('\n').find((l) => /error/.test(l)) ?? '').trim();
  if (r.signal) {
    const ok = !name.startsWith('parse-fail-');
    return {
      ok,
      why: `nix-instantiate killed by ${r.signal}; following the newer Nix: ${ok ? 'parses' : 'parse-fail test'}`,
      newer: true,
    };
  }
  if (r.status === 0) return { ok: true, why: '', newer: false };
  if (SEMANTIC.test(firstError))
    return { ok: true, why: `name resolution, not syntax: ${firstError}`, newer: false };
  if (/invalid token/.test(firstError) && hasPipeOperator(text))
    return { ok: true, why: 'pipe operators: a newer Nix (≥ 2.24, pipe-operators) parses them', newer: true };
  return { ok: false, why: firstError, newer: false };
}

export function oracle(dir: string): Verdict[] {
  const files = readdirSync(dir)
    .filter((n) => n.endsWith('.nix') && statSync(join(dir, n)).isFile())
    .sort();
  return files.map((name) => {
    const path = join(dir, name);
    const text = readFileSync(path, 'utf8');
    const nix = nixVerdict(path, name, text);
    const errors = parse(text).errors;
    return {
      file: name,
      nix: nix.ok,
      nixWhy: nix.why,
      newer: nix.newer,
      ours: errors.length === 0,
      oursWhy: errors[0]?.message ?? '',
    };
  });
}

function main(argv: string[]): number {
  const json = argv.includes('--json');
  const dirs = argv.filter((a) => !a.startsWith('--'));
  if (dirs.length !== 1) {
    process.stderr.write(
      'usage: npx tsx scripts/nix-lang-oracle.ts <nix-checkout>/tests/functional/lang [--json]\n',
    );
    return 2;
  }
  const verdicts = oracle(dirs[0]!);
  const differ = verdicts.filter((v) => v.nix !== v.ours);
  if (json) process.stdout.write(`${JSON.stringify({ files: verdicts.length, differ }, null, 2)}\n`);
  else {
    for (const v of verdicts)
      if (v.newer && v.nix === v.ours)
        process.stdout.write(`agree, following a newer Nix: ${v.file}: ${v.nixWhy}\n`);
    for (const v of differ) {
      process.stdout.write(
        `DIFFER ${v.file}: nix ${v.nix ? 'parses' : 'rejects'}${v.nixWhy ? ` (${v.nixWhy})` : ''}; nixboot ${v.ours ? 'parses' : `rejects (${v.oursWhy})`}\n`,
      );
    }
    const accepted = verdicts.filter((v) => v.nix).length;
    const newer = verdicts.filter((v) => v.newer).length;
    process.stdout.write(
      `${verdicts.length} files (${accepted} parse, ${verdicts.length - accepted} do not; ${newer} judged by a newer Nix): ${differ.length} verdict(s) differ\n`,
    );
  }
  return differ.length === 0 ? 0 : 1;
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('nix-lang-oracle.ts'))
  process.exitCode = main(process.argv.slice(2));
