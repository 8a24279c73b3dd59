import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { RULES } from '../../server/src/analysis';
import { renderRuleDoc } from '../../server/src/rules/docs';
import { applyEdits } from '../../server/src/text';
import { expectationsOf, fixtureCases, RULES_DIR, runCase } from './fixtures';

const DOCS_DIR = new URL('../../docs/rules/', import.meta.url).pathname;

for (const c of fixtureCases()) {
  test(`${c.rule}: ${c.name}`, () => {
    const r = runCase(c);
    assert.deepEqual(
      r.actual,
      r.expected,
      `findings of ${c.rule} in ${c.name}:\n${r.findings.map((f) => f.message).join('\n')}`,
    );
    for (const file of c.files) {
      const golden = `${file}.fixed`;
      const inFile = r.findings.filter((f) => f.file === file && f.fixes.length > 0);
      if (inFile.length === 0) continue;
      const fixed = applyEdits(
        r.texts.get(file)!,
        inFile.flatMap((f) => f.fixes[0]!.edits),
      );
      if (process.env.UPDATE_EXPECT === '1') writeFileSync(golden, fixed);
      assert.ok(existsSync(golden), `${golden} missing: run with UPDATE_EXPECT=1 and review it`);
      assert.equal(fixed, readFileSync(golden, 'utf8'), `fixes of ${c.name}`);
    }
  });
}

test('every rule has its file, a doc page, a failing and a passing fixture', () => {
  const ruleFiles = readdirSync(new URL('../../server/src/rules/', import.meta.url).pathname)
    .filter((f) => f.endsWith('.ts') && !['index.ts', 'types.ts', 'util.ts', 'docs.ts'].includes(f))
    .map((f) => f.slice(0, -3))
    .sort();
  assert.deepEqual(ruleFiles, RULES.map((r) => r.id).sort(), 'rule file names equal the registered ids');
  const cases = fixtureCases();
  for (const rule of RULES) {
    assert.match(rule.id, /^[a-z0-9]+(-[a-z0-9]+)*$/);
    assert.ok(rule.docs.why.length > 80 && rule.docs.fix.length > 20, `${rule.id} has real docs`);
    const mine = cases.filter((c) => c.rule === rule.id);
    const bad = mine.filter((c) => c.name.startsWith('bad-'));
    const ok = mine.filter((c) => c.name.startsWith('ok-'));
    assert.ok(bad.length > 0, `${rule.id} has a bad-* fixture`);
    assert.ok(ok.length > 0, `${rule.id} has an ok-* fixture`);
    for (const c of bad) {
      const n = c.files
        .flatMap((f) => expectationsOf(f, readFileSync(f, 'utf8')))
        .filter((e) => e.rule === rule.id).length;
      assert.ok(n > 0, `${c.name} annotates at least one ${rule.id} finding`);
    }
    for (const c of ok) {
      const n = c.files
        .flatMap((f) => expectationsOf(f, readFileSync(f, 'utf8')))
        .filter((e) => e.rule === rule.id).length;
      assert.equal(n, 0, `${c.name} must not expect ${rule.id}`);
    }
    const doc = join(DOCS_DIR, `${rule.id}.md`);
    if (process.env.UPDATE_EXPECT === '1') writeFileSync(doc, renderRuleDoc(rule));
    assert.ok(existsSync(doc), `docs/rules/${rule.id}.md exists (UPDATE_EXPECT=1 writes it)`);
    assert.equal(
      readFileSync(doc, 'utf8'),
      renderRuleDoc(rule),
      `docs/rules/${rule.id}.md is up to date (UPDATE_EXPECT=1)`,
    );
  }
  for (const dir of readdirSync(RULES_DIR)) {
    if (dir.endsWith('.ts')) continue;
    assert.ok(
      RULES.some((r) => r.id === dir),
      `test/rules/${dir} belongs to a registered rule`,
    );
  }
});
