// The "nixboot" output channel's level filter (client/src/logPolicy.ts).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { lineLevel, shown } from '../../client/src/logPolicy';

test('log lines: the language client prefix gives the level; continuation lines have none', () => {
  assert.equal(lineLevel('[Error - 10:00:00] nixboot: option hover failed'), 'error');
  assert.equal(lineLevel('[Warn  - 10:00:00] nixboot: cache full'), 'warn');
  assert.equal(lineLevel('[Info  - 10:00:00] started'), 'info');
  assert.equal(lineLevel('[Debug - 10:00:00] x'), 'debug');
  assert.equal(lineLevel('[Trace - 10:00:00] Sending request'), 'debug');
  assert.equal(lineLevel('    at Object.<anonymous> (server.js:1:1)'), undefined);
});

test('log level setting: each level shows itself and the more severe ones', () => {
  const levels = ['error', 'warn', 'info', 'debug'];
  for (const [i, setting] of levels.entries()) {
    for (const [j, level] of levels.entries())
      assert.equal(shown(level, setting), j <= i, `${level} at ${setting}`);
  }
});
