// Reports across a window reload (client/src/reports/restore.ts, panel.ts): what a page keeps in
// its webview state, bounded; every kind has a panel serializer activation event; a report too
// large to keep comes back as a page with "Reload this report".
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { page as reportPage } from '../../client/src/reports/html';
import { closureDiff, storeCompare } from '../../client/src/reports/kinds';
import { KINDS, RESTORE_LIMIT, restoreRecord, unavailable } from '../../client/src/reports/restore';
import { skipUnless } from '../nixEnv';
import { launch, openPage, posted, violations } from './browser';
import { closureDiffData } from './data';

const NONCE = 'dGVzdC1ub25jZS10ZXN0LW5vbmNl';

test('every report kind activates the extension to restore its panel (package.json onWebviewPanel)', () => {
  const pkg = JSON.parse(
    readFileSync(join(new URL('../..', import.meta.url).pathname, 'package.json'), 'utf8'),
  ) as { activationEvents: string[] };
  const events = pkg.activationEvents.filter((e) => e.startsWith('onWebviewPanel:')).sort();
  assert.ok(KINDS.length >= 8, `report kinds found: ${KINDS.map((k) => k.id).join(', ')}`);
  assert.deepEqual(events, KINDS.map((k) => `onWebviewPanel:nixboot.report.${k.id}`).sort());
});

test('a 2,000-package closure diff is kept whole and renders the same from the kept data', () => {
  const d = closureDiffData(2000);
  const r = closureDiff.render(d);
  const kept = restoreRecord(closureDiff, d, r);
  assert.ok('data' in kept, 'the data was not kept');
  const size = JSON.stringify(kept).length;
  assert.ok(size < RESTORE_LIMIT, `${size} characters`);
  // Through JSON (as VS Code stores webview state) and back.
  const again = closureDiff.render(JSON.parse(JSON.stringify(kept)).data);
  assert.equal(again.body, r.body);
  assert.equal(again.title, r.title);
});

test('a report larger than the limit keeps its title, size and re-run arguments, not its data', () => {
  const d = closureDiffData(20_000);
  const r = closureDiff.render(d);
  const kept = restoreRecord(closureDiff, d, r);
  assert.ok(!('data' in kept));
  assert.ok('size' in kept && kept.size > RESTORE_LIMIT);
  assert.deepEqual('args' in kept && kept.args, [d.from, d.to]);
  assert.ok(JSON.stringify(kept).length < 1000);
  const u = unavailable(closureDiff as never, 'too large', r.title, [d.from, d.to]);
  assert.match(u.body, /data-action="0"[^>]*>Reload this report</);
  assert.deepEqual(u.actions, [
    { kind: 'command', command: 'nixboot.generations.diffWith', args: [d.from, d.to] },
  ]);
  // A kind without a re-run command says what to do instead of offering a button.
  const none = unavailable({ id: 'x', render: () => r } as never, 'too large', 'T');
  assert.deepEqual(none.actions, []);
  assert.match(none.body, /Run the command that made it again/);
});

const skip = skipUnless('chromium');
let browser: Browser | undefined;
before(async () => {
  if (!skip) browser = await launch();
});
after(async () => browser?.close());

test(
  'the page keeps its restore record in the webview state as it loads, and after a sort (chromium)',
  { skip },
  async () => {
    const d = closureDiffData(60);
    const r = closureDiff.render(d);
    const restore = restoreRecord(closureDiff, d, r);
    const { page } = await openPage(browser!, reportPage(r, { nonce: NONCE, restore }));
    try {
      assert.deepEqual(await violations(page), []);
      const st = (await page.evaluate('window.__state')) as { restore?: unknown } | undefined;
      assert.deepEqual(st?.restore, restore);
      await page.click('th[data-col="3"] button');
      const after = (await page.evaluate('window.__state')) as { restore?: unknown; sort?: unknown };
      assert.deepEqual(after.restore, restore, 'a sort dropped the restore record');
    } finally {
      await page.close();
    }
  },
);

test('the "too large" page posts its Reload action (chromium)', { skip }, async () => {
  const u = unavailable(
    storeCompare as never,
    'This report was too large to keep across the window reload.',
    'Compare: 3 changed',
    ['/a', '/b'],
  );
  const { page } = await openPage(browser!, reportPage(u, { nonce: NONCE }));
  try {
    await page.click('button[data-action="0"]');
    assert.deepEqual(await posted(page), [{ type: 'action', id: 0 }]);
  } finally {
    await page.close();
  }
});
