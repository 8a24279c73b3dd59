import assert from 'node:assert/strict';
import { test } from 'node:test';
import { analyzeShell, runsInScriptShell } from '../../server/src/shell/analyze';

function exits(script: string): string[] {
  const a = analyzeShell(script);
  assert.equal(a.error, undefined, a.error?.message);
  return a.commands
    .filter((c) => c.name?.value === 'exit' && runsInScriptShell(c, a))
    .map((c) => script.slice(c.stmtStart, c.stmtEnd));
}

test('top-level exit is found; subshells, substitutions, pipelines, jobs and heredocs are not', () => {
  const script = [
    'echo "zfs load-key zroot; killall zfs" \\',
    '  >> /root/.profile; exit',
    '( exit 1 )',
    'x=$(exit 2)',
    'true | exit 3',
    'sleep 1 && exit 4 &',
    'cat <<EOF',
    'exit 5',
    'EOF',
    "sh -c 'exit 6'",
    '# exit 7',
    'if [ -e /x ]; then exit 8; fi',
  ].join('\n');
  assert.deepEqual(exits(script), ['exit', 'exit 8']);
});

test('exit in a function counts only when the function is called at the top level', () => {
  assert.deepEqual(exits('f() { exit 1; }\ng() { exit 2; }\nh() { g; }\nh\n'), ['exit 2']);
  assert.deepEqual(exits('f() { exit 1; }\n(f)\n'), []);
});

test('positions are string indices even with multibyte text', () => {
  const script = 'echo "é ü"; exit 3';
  const a = analyzeShell(script);
  const c = a.commands.find((x) => x.name?.value === 'exit')!;
  assert.equal(script.slice(c.stmtStart, c.stmtEnd), 'exit 3');
  const echo = a.commands[0]!;
  assert.equal(echo.args[1]!.value, 'é ü');
  assert.equal(script[echo.args[1]!.closingQuote!], '"');
});

test('redirections and words are decoded', () => {
  const a = analyzeShell(`echo 'a b' "c\\"d" e\\ f >> /root/.profile 2>&1`);
  const c = a.commands[0]!;
  assert.deepEqual(
    c.args.map((w) => w.value),
    ['echo', 'a b', 'c"d', 'e f'],
  );
  assert.deepEqual(
    c.redirects.map((r) => [r.op, r.target?.value]),
    [
      ['>>', '/root/.profile'],
      ['2>&', '1'],
    ],
  );
});

test('a syntax error is reported with its position, not thrown', () => {
  const a = analyzeShell('echo ok\necho "unterminated\n');
  assert.ok(a.error);
  assert.match(a.error.message, /quote/);
  assert.equal(a.commands.length, 0);
});

test('export/local are seen as commands; assignments are not', () => {
  const a = analyzeShell('export PATH=/bin\nFOO=1\nlocal x');
  assert.deepEqual(
    a.commands.map((c) => c.name?.value),
    ['export', 'local'],
  );
});
