// Report webviews: how long a large closure diff takes from data to a drawn page. Node renders the
// page (client/src/reports: the same code the extension runs), headless Chromium (Debian's) loads
// it with its CSP and runs its script as a webview would (test/reports/browser.ts); then a sort by
// size change and a filter keystroke are timed in the page. Goal: a 2,000-package diff opens in ≤ 1 s.
import { randomBytes } from 'node:crypto';
import { page } from '../client/src/reports/html';
import { closureDiff } from '../client/src/reports/kinds';
import { closureDiffData } from '../test/reports/data';
import { hasChromium, launch, openPage } from '../test/reports/browser';

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

export async function run(): Promise<string> {
  if (!hasChromium()) throw new Error('bench reports needs chromium (scripts/setup-system.sh installs it)');
  const browser = await launch();
  const rows: string[] = [];
  try {
    for (const n of [0, 200, 2000, 20000]) {
      const render: number[] = [];
      const load: number[] = [];
      const sort: number[] = [];
      const filter: number[] = [];
      let bytes = 0;
      for (let i = 0; i < 5; i++) {
        const d = closureDiffData(n);
        const t0 = performance.now();
        const html = page(closureDiff.render(d), { nonce: randomBytes(18).toString('base64') });
        render.push(performance.now() - t0);
        bytes = Buffer.byteLength(html);
        const { page: p, ms } = await openPage(browser, html, { width: 1400, height: 860 });
        load.push(ms);
        if (n > 0)
          sort.push(
            Number(
              await p.evaluate(
                `(() => { const t = performance.now(); document.querySelector('th[data-col="3"] button').click(); document.body.offsetHeight; return performance.now() - t; })()`,
              ),
            ),
          );
        if (n > 0)
          filter.push(
            Number(
              await p.evaluate(
                `(() => { const i = document.querySelector('#diff-filter'); const t = performance.now(); i.value = 'package-1'; i.dispatchEvent(new Event('input')); document.body.offsetHeight; return performance.now() - t; })()`,
              ),
            ),
          );
        await p.close();
      }
      const ok = n === 2000 ? (median(render) + median(load) <= 1000 ? 'met' : 'NOT met') : '—';
      rows.push(
        `| ${n} | ${(bytes / 1024).toFixed(0)} KiB | ${median(render).toFixed(1)} ms | ${median(load).toFixed(0)} ms | ${sort.length ? `${median(sort).toFixed(0)} ms` : '—'} | ${filter.length ? `${median(filter).toFixed(0)} ms` : '—'} | ${ok} |`,
      );
    }
  } finally {
    await browser.close();
  }
  return [
    '## Report webviews (closure diff)',
    '',
    "Command: `npm run bench -- reports` (bench/reports.ts). Render: the page built in Node from the server's diff result",
    '(client/src/reports). Open: headless Chromium loads the page with its CSP and runs its script, until drawn (two frames',
    "after the page's ready flag; 0 packages: the page without a table, the fixed cost of a page on this machine). Sort: a click",
    'on "Change". Filter: one keystroke in the filter box. Medians of 5.',
    '',
    '| packages | page size | render | open | sort | filter | ≤ 1 s at 2,000 |',
    '|---:|---:|---:|---:|---:|---:|---|',
    ...rows,
  ].join('\n');
}
