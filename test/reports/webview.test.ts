// The report pages' script in a real browser (Debian's Chromium, headless): sorting, filtering,
// folding groups, keyboard navigation, actions and exports posted to the extension, state kept
// through vscode.setState, the treemap drawn, and no CSP violation. Needs chromium.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { page as reportPage } from '../../client/src/reports/html';
import { closureDiff, findGenerations, initrdInspect, provenance } from '../../client/src/reports/kinds';
import { skipUnless } from '../nixEnv';
import { closureDiffData, initrdData, provenanceData } from './data';
import { launch, openPage, posted, violations } from './browser';

const skip = skipUnless('chromium');
let browser: Browser | undefined;
before(async () => {
  if (!skip) browser = await launch();
});
after(async () => browser?.close());

const NONCE = 'dGVzdC1ub25jZS10ZXN0LW5vbmNl';

/** Package names of the rows of a group in the DOM (the virtual table renders the rows in view). */
async function rowNames(p: Page, group: string): Promise<string[]> {
  return p.evaluate(
    `(() => { const out = []; let inGroup = false; for (const tr of document.querySelectorAll('#diff tbody tr[data-index]')) { if (tr.classList.contains('group')) { inGroup = tr.querySelector('button').dataset.group === ${JSON.stringify(group)}; continue; } if (inGroup) out.push(tr.cells[0].textContent); } return out; })()`,
  ) as Promise<string[]>;
}

test(
  'closure diff page: sort by change, filter, fold, keyboard, actions, export, state (chromium)',
  { skip },
  async () => {
    const d = closureDiffData(60);
    const r = closureDiff.render(d);
    const { page } = await openPage(browser!, reportPage(r, { nonce: NONCE }));
    try {
      assert.deepEqual(await violations(page), []);
      const changed = d.changes.filter((c) => c.kind === 'changed');
      assert.deepEqual(
        await rowNames(page, 'changed'),
        [...changed]
          .sort((a, b) => Math.abs(b.sizeDelta) - Math.abs(a.sizeDelta) || a.pname.localeCompare(b.pname))
          .map((c) => c.pname),
        'largest change first',
      );
      const byDelta = (dir: 1 | -1) =>
        [...changed].sort((a, b) => dir * (a.sizeDelta - b.sizeDelta)).map((c) => c.pname);
      // First click on "Change" sorts descending by signed change, the second ascending.
      await page.click('th[data-col="3"] button');
      assert.deepEqual(await rowNames(page, 'changed'), byDelta(-1));
      await page.click('th[data-col="3"] button');
      assert.deepEqual(await rowNames(page, 'changed'), byDelta(1));
      assert.equal(await page.getAttribute('th[data-col="3"]', 'aria-sort'), 'ascending');
      // Filter: only matching rows stay, group labels say "n of total".
      await page.fill('#diff-filter', 'package-0003');
      assert.equal(await page.locator('#diff tr.row').count(), 1);
      assert.equal(await page.textContent('button[data-group="changed"]'), 'Changed (1 of 20)');
      assert.equal(await page.textContent('button[data-group="added"]'), 'Added (0 of 20)');
      assert.equal(await page.textContent('#diff-count'), '1 shown');
      await page.fill('#diff-filter', '');
      // Fold the "added" group.
      await page.click('button[data-group="added"]');
      assert.equal(await page.getAttribute('button[data-group="added"]', 'aria-expanded'), 'false');
      assert.deepEqual(await rowNames(page, 'added'), []);
      // Keyboard: one tab stop (the first group row), arrows move, Enter posts the row's action.
      assert.equal(await page.locator('#diff tr[tabindex="0"]').count(), 1);
      await page.focus('#diff tr[tabindex="0"]');
      await page.keyboard.press('Home');
      await page.keyboard.press('ArrowDown');
      await page.keyboard.press('ArrowDown');
      const focused = String(await page.evaluate('document.activeElement.cells[0].textContent'));
      await page.keyboard.press('Enter');
      await page.click('[data-export="json"]');
      const msgs = (await posted(page)) as { type: string; id?: number }[];
      assert.equal(msgs.length, 2);
      assert.deepEqual(msgs[1], { type: 'export', format: 'json' });
      assert.deepEqual(r.actions[msgs[0]!.id!], {
        kind: 'command',
        command: 'nixboot.generations.find',
        args: [focused],
      });
      assert.equal(focused, byDelta(1)[1], 'the second row of the sorted group');
      // State survives a reload of the page (what VS Code does when a hidden webview comes back without retained context).
      const state = await page.evaluate('window.__state');
      const again = await openPage(browser!, reportPage(r, { nonce: NONCE }), { state });
      try {
        assert.equal(await again.page.getAttribute('th[data-col="3"]', 'aria-sort'), 'ascending');
        assert.equal(await again.page.getAttribute('button[data-group="added"]', 'aria-expanded'), 'false');
        assert.deepEqual(await rowNames(again.page, 'changed'), byDelta(1));
      } finally {
        await again.page.close();
      }
    } finally {
      await page.close();
    }
  },
);

test(
  'closure diff page with 20,000 packages: only the rows in view are in the DOM; End reaches the last row (chromium)',
  { skip },
  async () => {
    const r = closureDiff.render(closureDiffData(20_000));
    const { page } = await openPage(browser!, reportPage(r, { nonce: NONCE }), { height: 800 });
    try {
      const inDom = await page.locator('#diff tbody tr[data-index]').count();
      assert.ok(inDom > 20 && inDom < 200, `${inDom} rows in the DOM`);
      await page.focus('#diff tr[tabindex="0"]');
      await page.keyboard.press('End');
      assert.equal(
        await page.evaluate('document.activeElement.getAttribute("aria-rowindex")'),
        String(20_000 + 3 + 1),
      );
      const box = await page.evaluate(
        '(() => { const r = document.activeElement.getBoundingClientRect(); return r.bottom <= innerHeight + 1 && r.top >= 0; })()',
      );
      assert.equal(box, true, 'the last row is scrolled into view');
    } finally {
      await page.close();
    }
  },
);

test(
  'provenance page: hops are buttons in order; clicking one posts its action (chromium)',
  { skip },
  async () => {
    const r = provenance.render(provenanceData());
    const { page } = await openPage(browser!, reportPage(r, { nonce: NONCE }));
    try {
      assert.deepEqual(await violations(page), []);
      const hops = page.locator('li.hop button.hoptitle');
      assert.equal(await hops.count(), 6);
      await hops.nth(4).click();
      const [m] = (await posted(page)) as { id: number }[];
      assert.deepEqual(r.actions[m!.id], { kind: 'open', file: '/work/flake.lock', line: 12, character: 4 });
      // The hostile name is text, not markup.
      assert.equal(await page.$$eval('script:not([nonce])', (s) => s.length), 0);
      assert.match((await page.textContent('li.hop .value'))!, /evil<script>alert\(1\)<\/script>/);
    } finally {
      await page.close();
    }
  },
);

test(
  'initrd page: the treemap draws one focusable cell per child, Enter zooms in, the breadcrumb zooms out (chromium)',
  { skip },
  async () => {
    const r = initrdInspect.render(initrdData());
    const { page } = await openPage(browser!, reportPage(r, { nonce: NONCE }));
    try {
      assert.deepEqual(await violations(page), []);
      assert.deepEqual(await page.$$eval('#map .cell', (c) => c.map((x) => x.getAttribute('aria-label'))), [
        'nix, 2.9 KiB, zoom in',
        'etc, 1000 B, zoom in',
      ]);
      await page.focus('#map .cell >> nth=1');
      await page.keyboard.press('Enter');
      assert.deepEqual(await page.$$eval('#map .cell', (c) => c.map((x) => x.textContent)), ['systemd700 B']);
      await page.click('#crumbs button >> nth=0');
      assert.equal(await page.locator('#map .cell').count(), 2);
      await page.check('input[name=mode][value=store]');
      assert.deepEqual(await page.$$eval('#map .cell span:first-child', (c) => c.map((x) => x.textContent)), [
        'systemd-257',
      ]);
    } finally {
      await page.close();
    }
  },
);

test('find generations page: filter across groups (chromium)', { skip }, async () => {
  const r = findGenerations.render({
    pattern: 'sed',
    result: {
      results: [
        { generation: 2, matches: ['/nix/store/a-sed-4.9'] },
        { generation: 3, matches: ['/nix/store/b-sed-4.9', '/nix/store/c-sed-key-0.1'] },
      ],
    },
  });
  const { page } = await openPage(browser!, reportPage(r, { nonce: NONCE }));
  try {
    await page.fill('input[data-filter="found"]', 'sed-key');
    assert.deepEqual(await page.$$eval('tr.row:not([hidden]) td', (c) => c.map((x) => x.textContent)), [
      '/nix/store/c-sed-key-0.1',
    ]);
    assert.equal(await page.textContent('[data-filter-count="found"]'), '1 shown');
  } finally {
    await page.close();
  }
});
