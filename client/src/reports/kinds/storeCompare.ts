// "Compare Store Paths": identical or not, how many entries changed, and the server's text report
// (byte ranges, ELF sections, Mach-O page hashes) as preformatted text.
import type { StorePathsCompareRequest } from '../../../../server/src/protocol';
import { esc, escLines, type ReportKind } from '../html';
import { withoutMarkdown } from './closureDiff';

export interface StoreCompareData {
  readonly a: string;
  readonly b: string;
  readonly result: StorePathsCompareRequest.Result;
}

export const storeCompare: ReportKind<StoreCompareData> = {
  id: 'storeCompare',
  rerun: { command: 'nixboot.storePaths.compare', args: (d) => [d.a, d.b] },
  render({ a, b, result: r }) {
    const title = `Compare: ${r.identical ? 'identical' : `${r.changed} changed`}`;
    const body = `
<p class="verdict ${r.identical ? 'ok' : 'warn'}"><b>${r.identical ? '✓ The two trees are identical' : `✗ ${r.changed} entr${r.changed === 1 ? 'y differs' : 'ies differ'}`}</b></p>
<p><span class="muted">A</span> <code>${esc(a)}</code><br><span class="muted">B</span> <code>${esc(b)}</code></p>
<pre>${escLines(r.report)}</pre>`;
    return {
      title,
      key: `storeCompare:${a}:${b}`,
      body,
      actions: [],
      markdown: r.markdown,
      json: { a, b, ...withoutMarkdown(r) },
      fileName: 'compare',
    };
  },
};
