// Runs every test/**/*.test.ts file with Node's own test runner (TypeScript through tsx).
// Usage: node scripts/run-tests.mjs [substring-filter ...]
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

function walk(dir, out) {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'fixtures' || name === 'e2e' || name.startsWith('.')) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

const filters = process.argv.slice(2);
const files = walk('test', [])
  .filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)))
  .sort();
if (files.length === 0) {
  console.error('no test files matched');
  process.exit(1);
}
// `*.alone.test.ts` measure the responsiveness of a process under load (the language server's
// ping latency): they run after the others, one at a time, so other test files do not share the cores.
const alone = files.filter((f) => f.endsWith('.alone.test.ts'));
const together = files.filter((f) => !f.endsWith('.alone.test.ts'));
const concurrency = process.env.TEST_CONCURRENCY ?? '2';
const run = (list, n) =>
  list.length === 0
    ? 0
    : (spawnSync(
        process.execPath,
        ['--import', 'tsx', '--test', `--test-concurrency=${n}`, '--test-reporter=spec', ...list],
        { stdio: 'inherit' },
      ).status ?? 1);
const status = [run(together, concurrency), run(alone, '1')];
process.exit(status.some((s) => s !== 0) ? 1 : 0);
