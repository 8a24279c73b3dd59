// Every input the fuzzer found a crash or hang with is kept in test/fuzz/crashes/TARGET/ (the input,
// and beside it a .txt with the stack it produced) and replayed here through the instrumented
// target, with the fuzzer's own crash and hang (> 5 s) detection: none may crash or hang again.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { buildBundle, formatResult, runTarget, type Bundle } from '../../fuzz/main';
import { TARGET_INFO } from '../../fuzz/catalogue';

const CRASHES = new URL('./crashes/', import.meta.url).pathname;
const dirs = fs
  .readdirSync(CRASHES)
  .filter((d) => fs.statSync(path.join(CRASHES, d)).isDirectory())
  .sort();

let out: string;
let bundle: Bundle;
before(() => {
  out = fs.mkdtempSync(path.join(os.tmpdir(), 'nixboot-fuzz-replay-'));
  bundle = buildBundle(out);
});
after(() => fs.rmSync(out, { recursive: true, force: true }));

test('every crash directory is named after a fuzz target and holds inputs', () => {
  assert.ok(dirs.length > 0);
  for (const d of dirs) {
    assert.ok(
      TARGET_INFO.some((t) => t.name === d),
      `test/fuzz/crashes/${d}: no such fuzz target`,
    );
    assert.ok(
      fs.readdirSync(path.join(CRASHES, d)).some((f) => !f.endsWith('.txt')),
      `test/fuzz/crashes/${d} is empty`,
    );
  }
});

for (const d of dirs) {
  test(`fuzz regression inputs of ${d} no longer crash or hang`, async () => {
    const inputs = fs.readdirSync(path.join(CRASHES, d)).filter((f) => !f.endsWith('.txt'));
    const logs: string[] = [];
    const r = await runTarget({
      bundle,
      target: d,
      outDir: out,
      seconds: 60,
      replayDir: path.join(CRASHES, d),
      log: (s) => logs.push(s),
    });
    assert.equal(r.execs, inputs.length, formatResult(r));
    assert.deepEqual([...r.crashes, ...r.hangs], [], logs.join('\n'));
  });
}
