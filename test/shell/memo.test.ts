// The shell-analysis memo is bounded by the heap its entries keep alive, not only by their texts:
// 4,096 distinct 4 KB scripts once kept ~880 MiB (found as the shell fuzz target's peak RSS).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import {
  analyzeShell,
  estimateRetainedBytes,
  setShellMemoLimit,
  shellMemoStats,
} from '../../server/src/shell/analyze';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

function script(i: number, commands: number): string {
  let s = '';
  for (let j = 0; j < commands; j++) s += `cmd${i}_${j} --flag "arg ${j}" > /tmp/out${j % 7};\n`;
  return s;
}

test("the memo's estimate of retained bytes is not below what V8 really keeps", () => {
  setShellMemoLimit(512 * 1024 * 1024);
  const kept: string[] = [];
  gc();
  const before = process.memoryUsage().heapUsed;
  const statsBefore = shellMemoStats().estimatedBytes;
  for (let i = 0; i < 200; i++) {
    const text = script(i, 150);
    kept.push(text); // the texts are the caller's anyway; measure what the analyses add
    analyzeShell(text);
  }
  gc();
  const real = process.memoryUsage().heapUsed - before;
  const textBytes = kept.reduce((n, t) => n + 16 + 2 * t.length, 0);
  const estimated = shellMemoStats().estimatedBytes - statsBefore;
  // The estimate includes the texts; the real growth includes them too (kept alive by `kept`).
  assert.ok(real > textBytes, `real ${real} should exceed the texts ${textBytes}`);
  assert.ok(estimated >= real * 0.8, `estimate ${estimated} B is far below the ${real} B V8 retains`);
  assert.ok(estimated <= real * 4, `estimate ${estimated} B is far above the ${real} B V8 retains`);
});

test('the memo stays within its byte bound, evicting the least recently used', () => {
  const first = script(10_000, 100);
  const a = analyzeShell(first);
  const one = estimateRetainedBytes(first, a);
  setShellMemoLimit(one * 20);
  for (let i = 0; i < 60; i++) {
    analyzeShell(script(10_001 + i, 100));
    const s = shellMemoStats();
    assert.ok(s.estimatedBytes <= s.limitBytes, `${s.estimatedBytes} > ${s.limitBytes}`);
  }
  assert.ok(shellMemoStats().entries <= 20);
  // The first script was evicted: analysing it again gives an equal but new result.
  const again = analyzeShell(first);
  assert.notEqual(again, a);
  assert.deepEqual(
    again.commands.map((c) => c.name?.value),
    a.commands.map((c) => c.name?.value),
  );
  // A recently used one stays.
  const recent = script(10_060, 100);
  assert.equal(analyzeShell(recent), analyzeShell(recent));
  setShellMemoLimit(64 * 1024 * 1024);
});
