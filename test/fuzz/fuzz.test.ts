// Smoke run of the coverage-guided fuzzer (fuzz/): every target runs from its seeds for a couple of
// seconds and must not crash or hang, and must reach coverage beyond its seeds (the mutations and
// the instrumentation work). The harness itself must catch a crash, a hang and running out of
// memory (the hidden `selftest` target). The long runs are recorded in docs/reliability.md.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { buildBundle, formatResult, runTarget, type Bundle } from '../../fuzz/main';
import { TARGET_INFO } from '../../fuzz/catalogue';

let out: string;
let bundle: Bundle;
before(() => {
  out = fs.mkdtempSync(path.join(os.tmpdir(), 'nixboot-fuzz-test-'));
  bundle = buildBundle(out);
});
after(() => fs.rmSync(out, { recursive: true, force: true }));

test('the instrumented bundle has counters in every target file', () => {
  const files = new Set(bundle.sites.map((s) => s.file));
  for (const t of TARGET_INFO)
    for (const f of t.files) assert.ok(files.has(f), `${f} (${t.name}) has no coverage counters`);
  assert.ok(bundle.sites.length > 1000, `only ${bundle.sites.length} counters`);
});

for (const t of TARGET_INFO.filter((x) => !x.hidden)) {
  test(`fuzz smoke: ${t.name} runs without crash or hang and grows coverage beyond its seeds`, async () => {
    const r = await runTarget({
      bundle,
      target: t.name,
      outDir: out,
      seconds: 20,
      stopWhenGrownAfterMs: 1500,
      seed: 1,
    });
    const report = formatResult(r);
    assert.deepEqual(r.crashes, [], report);
    assert.deepEqual(r.hangs, [], report);
    assert.ok(r.seedCovered > 0, `the seeds reach no counter: ${report}`);
    assert.ok(r.covered > r.seedCovered, `no coverage beyond the seeds: ${report}`);
  });
}

test('fuzz harness: a crash, a hang (> 5 s) and running out of memory are caught and saved with their input', async () => {
  const dir = path.join(out, 'corpus', 'selftest');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'a-crash'), 'CRASH');
  fs.writeFileSync(path.join(dir, 'b-hang'), 'HANG');
  fs.writeFileSync(path.join(dir, 'c-oom'), 'OOM');
  const logs: string[] = [];
  const r = await runTarget({
    bundle,
    target: 'selftest',
    outDir: out,
    seconds: 120,
    maxExecs: 2000,
    heapMiB: 64,
    seed: 1,
    log: (s) => logs.push(s),
  });
  const kinds = [...r.crashes, ...r.hangs].map((f) => path.basename(f).split('-')[0]).sort();
  assert.deepEqual([...new Set(kinds)], ['crash', 'hang', 'oom'], logs.join('\n'));
  const crash = r.crashes.find((f) => path.basename(f).startsWith('crash-'))!;
  assert.equal(fs.readFileSync(crash, 'latin1'), 'CRASH');
  assert.match(fs.readFileSync(`${crash}.txt`, 'utf8'), /TypeError/);
  assert.equal(fs.readFileSync(r.hangs[0]!, 'latin1'), 'HANG');
  // an input that hung or killed the worker leaves the corpus (a new worker would run it again)
  assert.ok(
    !fs.existsSync(path.join(dir, 'b-hang')) && !fs.existsSync(path.join(dir, 'c-oom')),
    fs.readdirSync(dir).join(' '),
  );
  // expected errors (RangeError here) are not crashes, and fuzzing went on after each finding
  assert.equal(r.execs, 2000, formatResult(r));
});
