// The shell analysis is linear in the script: a 1 MB stage-1 hook is analysed in seconds, not
// minutes (it took ~40 s per MB when the tree was walked through mvdan-sh's JavaScript proxies).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { analyzeShell } from '../../server/src/shell/analyze';
import { bigScript } from './bigScript';

test('a 1 MB generated script is analysed within 10 s, every command found at its place', () => {
  const { text, blocks } = bigScript(1024 * 1024);
  // CPU time, not wall time: test machines are shared and a busy one must not fail the bound.
  const c0 = process.cpuUsage();
  const a = analyzeShell(text);
  const c = process.cpuUsage(c0);
  const ms = (c.user + c.system) / 1000;
  assert.equal(a.error, undefined);
  assert.ok(ms < 10_000, `1 MB took ${ms.toFixed(0)} ms of CPU`);
  // echo, [, mkdir, mount, cat, grep per block; and the assignment-only statement has no command.
  assert.equal(a.commands.length, blocks * 6);
  const mounts = a.commands.filter((c) => c.name?.value === 'mount');
  assert.equal(mounts.length, blocks);
  const last = mounts[mounts.length - 1]!;
  assert.equal(
    text.slice(last.stmtStart, last.stmtEnd),
    `mount /dev/disk/by-label/d${blocks - 1} /mnt/${blocks - 1}`,
  );
  assert.equal(last.context.conditional, true);
  const greps = a.commands.filter((c) => c.name?.value === 'grep');
  assert.ok(greps.every((c) => c.context.subshell && !c.context.topLevel));
});

test('positions stay string indices after non-ASCII text far into a large script', () => {
  const { text } = bigScript(64 * 1024);
  const script = `${text}echo "ü ✓ 𝄞"; exit 7\n`;
  const a = analyzeShell(script);
  const exit = a.commands.find((c) => c.name?.value === 'exit')!;
  assert.equal(script.slice(exit.stmtStart, exit.stmtEnd), 'exit 7');
  const echo = a.commands[a.commands.length - 2]!;
  assert.equal(echo.args[1]!.value, 'ü ✓ 𝄞');
});
