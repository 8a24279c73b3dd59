// The catalogue rules never throw: on every fixture cut at arbitrary points (broken syntax,
// unterminated strings and sets), on edits that delete spans, and on random bytes.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import fc from 'fast-check';
import { analyzeFile, makeProject, RULES } from '../../server/src/analysis';
import type { RuleContext } from '../../server/src/rules/types';
import { matchPath, pattern } from '../../server/src/nixos/definitions';
import { fixtureCases } from './fixtures';

const LEAD_RULES = new Set([
  'syntax-error',
  'initrd-script-exit',
  'initrd-missing-command',
  'rollback-generation-limit',
  'gc-deletes-all-generations',
]);
const CATALOGUE = RULES.filter((r) => !LEAD_RULES.has(r.id));
const TEXTS = fixtureCases().flatMap((c) => c.files.map((f) => readFileSync(f, 'utf8')));

/** Runs every catalogue rule directly (lintFile would swallow a throw) and returns the findings count. */
function runAll(text: string, release: string | undefined): number {
  const model = analyzeFile('/robust/configuration.nix', text);
  const settings = release ? { nixosRelease: release } : {};
  const project = makeProject([model], settings);
  let n = 0;
  for (const rule of CATALOGUE) {
    const ctx: RuleContext = {
      file: model,
      project,
      definitions: (dotted) => model.definitions.filter((d) => matchPath(d.path, pattern(dotted))),
      report: (f) => {
        assert.ok(
          f.start >= 0 && f.end >= f.start && f.end <= text.length,
          `${rule.id}: range ${f.start}-${f.end} inside the text`,
        );
        for (const fix of f.fixes ?? [])
          for (const e of fix.edits)
            assert.ok(
              e.start >= 0 && e.end <= text.length && e.start <= e.end,
              `${rule.id}: edit inside the text`,
            );
        n++;
      },
    };
    try {
      rule.check(ctx);
    } catch (e) {
      throw new Error(`${rule.id} threw on:\n${text}\n${e instanceof Error ? e.stack : String(e)}`);
    }
  }
  return n;
}

test('catalogue rules survive every fixture cut short', () => {
  assert.ok(CATALOGUE.length >= 20);
  for (const text of TEXTS) {
    for (let cut = 0; cut <= text.length; cut += 7) runAll(text.slice(0, cut), cut % 2 ? '26.05' : undefined);
  }
});

test('catalogue rules survive random deletions and random text (property)', () => {
  fc.assert(
    fc.property(
      fc.nat(TEXTS.length - 1),
      fc.nat(),
      fc.nat(40),
      fc.constantFrom('25.11', '26.05', undefined),
      (i, at, len, release) => {
        const t = TEXTS[i]!;
        const start = at % (t.length + 1);
        runAll(t.slice(0, start) + t.slice(start + len), release);
      },
    ),
    { numRuns: 300 },
  );
  fc.assert(
    fc.property(fc.string({ maxLength: 200 }), (s) => void runAll(`{ boot.initrd = { ${s} }; }`, '25.11')),
    { numRuns: 200 },
  );
});
