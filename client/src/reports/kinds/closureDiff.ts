// Closure diff of two generations, older → newer ("gen 2 → gen 3"): one table grouped into
// changed / added / removed packages, sortable by size change (the default), name or size, with a
// filter box. Rows are plain server-rendered HTML (a 2,000-package diff renders in a few
// milliseconds and draws in well under a second: bench/reports.ts). Enter on a row finds the
// generations whose closure holds that package.
import type { GenerationsDiffRequest } from '../../../../server/src/protocol';
import { Actions, bytes, esc, filterBox, group, signedBytes, thead, type ReportKind } from '../html';

export type ClosureDiffData = GenerationsDiffRequest.Result;

const KINDS = [
  { kind: 'changed', label: 'Changed', cls: 'chg' },
  { kind: 'added', label: 'Added', cls: 'add' },
  { kind: 'removed', label: 'Removed', cls: 'del' },
] as const;

export function closureDiffTitle(d: { from: number; to: number }): string {
  return `Closure diff: gen ${d.from} → gen ${d.to}`;
}

export const closureDiff: ReportKind<ClosureDiffData> = {
  id: 'closureDiff',
  render(d) {
    const acts = new Actions();
    const title = closureDiffTitle(d);
    const total = d.sizeAfter - d.sizeBefore;
    const counts = Object.fromEntries(KINDS.map((k) => [k.kind, d.changes.filter((c) => c.kind === k.kind).length]));
    const cols = [
      { label: 'Package', sort: 'name' },
      { label: 'Versions', sort: undefined },
      { label: 'Size', sort: 'size', num: true },
      { label: 'Change', sort: 'delta', num: true, sorted: 'descending' as const },
    ];
    const bodies = KINDS.map((k) => {
      // Largest change first: what grew or shrank the closure the most.
      const list = d.changes.filter((c) => c.kind === k.kind).sort((a, b) => Math.abs(b.sizeDelta) - Math.abs(a.sizeDelta) || a.pname.localeCompare(b.pname));
      if (!list.length) return '';
      const rows = list
        .map((c) => {
          const versions = k.kind === 'added' ? c.after.join(', ') : k.kind === 'removed' ? c.before.join(', ') : `${c.before.join(', ') || '∅'} → ${c.after.join(', ') || '∅'}`;
          const size = k.kind === 'removed' ? c.sizeBefore : c.sizeAfter;
          const text = `${c.pname} ${versions}`.toLowerCase();
          return `<tr class="row" ${acts.attr({ kind: 'command', command: 'nixboot.generations.find', args: [c.pname] })} data-name="${esc(c.pname)}" data-size="${size}" data-delta="${c.sizeDelta}" data-text="${esc(text)}" title="Enter: find the generations that contain ${esc(c.pname)}"><td class="path">${esc(c.pname)}</td><td class="mono">${esc(versions || '∅')}</td><td class="num">${bytes(size)}</td><td class="num ${c.sizeDelta > 0 ? 'add' : c.sizeDelta < 0 ? 'del' : 'muted'}">${signedBytes(c.sizeDelta)}</td></tr>`;
        })
        .join('');
      return group(k.kind, k.label, list.length, cols.length, rows, k.cls);
    }).join('');
    const body = `
<div class="summary">
<div class="fig"><span class="muted">Closure size</span><b>${bytes(d.sizeBefore)} → ${bytes(d.sizeAfter)}</b><span class="${total > 0 ? 'add' : total < 0 ? 'del' : 'muted'}">${signedBytes(total)}</span></div>
<div class="fig"><span class="muted">Store paths</span><b>${d.pathsBefore} → ${d.pathsAfter}</b><span class="muted">${d.pathsAfter - d.pathsBefore >= 0 ? '+' : '−'}${Math.abs(d.pathsAfter - d.pathsBefore)}</span></div>
<div class="fig"><span class="muted">Packages</span><b><span class="chg">${counts.changed} changed</span> · <span class="add">${counts.added} added</span> · <span class="del">${counts.removed} removed</span></b></div>
</div>
${
  d.changes.length
    ? `${filterBox('diff', 'Filter packages and versions')}
<table class="report" id="diff" aria-label="${esc(title)}">${thead(cols)}${bodies}</table>`
    : '<p>No package changes between the two closures.</p>'
}`;
    return { title, key: `closureDiff:${d.from}:${d.to}`, body, actions: acts.list, markdown: d.markdown, json: withoutMarkdown(d), fileName: `closure-diff-gen-${d.from}-to-gen-${d.to}` };
  },
};

/** A result's data for JSON export (the Markdown has its own export). */
export function withoutMarkdown<T extends { markdown?: string }>(r: T): Omit<T, 'markdown'> {
  const { markdown: _m, ...rest } = r;
  return rest;
}

