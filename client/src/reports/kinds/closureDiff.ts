// Closure diff of two generations, older → newer ("gen 2 → gen 3"): one table grouped into
// changed / added / removed packages (largest change first), sortable by size change, name or
// size, with a filter box. The table is virtualised (../vtable.ts): a 2,000-package diff opens as
// fast as a small one (bench/reports.ts). Enter on a row finds the generations that hold that
// package.
import type { GenerationsDiffRequest } from '../../../../server/src/protocol';
import { Actions, bytes, esc, signedBytes, type ReportKind } from '../html';
import { VTABLE_SCRIPT, vtableHtml, vtableStyle, type VGroup, type VTable } from '../vtable';

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
  rerun: { command: 'nixboot.generations.diffWith', args: (d) => [d.from, d.to] },
  render(d) {
    const acts = new Actions();
    const title = closureDiffTitle(d);
    const total = d.sizeAfter - d.sizeBefore;
    const counts = Object.fromEntries(
      KINDS.map((k) => [k.kind, d.changes.filter((c) => c.kind === k.kind).length]),
    );
    const groups: VGroup[] = KINDS.map((k) => ({
      id: k.kind,
      label: k.label,
      cls: k.cls,
      rows: d.changes
        .filter((c) => c.kind === k.kind)
        // Largest change first: what grew or shrank the closure the most.
        .sort((a, b) => Math.abs(b.sizeDelta) - Math.abs(a.sizeDelta) || a.pname.localeCompare(b.pname))
        .map((c) => {
          const versions =
            k.kind === 'added'
              ? c.after.join(', ')
              : k.kind === 'removed'
                ? c.before.join(', ')
                : `${c.before.join(', ') || '∅'} → ${c.after.join(', ') || '∅'}`;
          const size = k.kind === 'removed' ? c.sizeBefore : c.sizeAfter;
          return {
            cells: [esc(c.pname), esc(versions || '∅'), bytes(size), signedBytes(c.sizeDelta)],
            classes: ['mono', 'mono', '', c.sizeDelta > 0 ? 'add' : c.sizeDelta < 0 ? 'del' : 'muted'],
            sort: { name: c.pname, size, delta: c.sizeDelta },
            text: `${c.pname} ${versions}`.toLowerCase(),
            action:
              acts.list.push({ kind: 'command', command: 'nixboot.generations.find', args: [c.pname] }) - 1,
            title: `${c.pname} ${versions} — Enter: find the generations that contain it`,
          };
        }),
    })).filter((g) => g.rows.length > 0);
    const table: VTable = {
      id: 'diff',
      label: title,
      filterPlaceholder: 'Filter packages and versions',
      columns: [
        { label: 'Package', sort: 'name', width: '34%' },
        { label: 'Versions', width: '38%' },
        { label: 'Size', sort: 'size', num: true, width: '14%' },
        { label: 'Change', sort: 'delta', num: true, width: '14%' },
      ],
      groups,
    };
    const body = `
<div class="summary">
<div class="fig"><span class="muted">Closure size</span><b>${bytes(d.sizeBefore)} → ${bytes(d.sizeAfter)}</b><span class="${total > 0 ? 'add' : total < 0 ? 'del' : 'muted'}">${signedBytes(total)}</span></div>
<div class="fig"><span class="muted">Store paths</span><b>${d.pathsBefore} → ${d.pathsAfter}</b><span class="muted">${d.pathsAfter - d.pathsBefore >= 0 ? '+' : '−'}${Math.abs(d.pathsAfter - d.pathsBefore)}</span></div>
<div class="fig"><span class="muted">Packages (largest change first)</span><b><span class="chg">${counts.changed} changed</span> · <span class="add">${counts.added} added</span> · <span class="del">${counts.removed} removed</span></b></div>
</div>
${d.changes.length ? vtableHtml(table) : '<p>No package changes between the two closures.</p>'}`;
    return {
      title,
      key: `closureDiff:${d.from}:${d.to}`,
      body,
      style: d.changes.length ? vtableStyle(table) : undefined,
      script: d.changes.length ? VTABLE_SCRIPT : undefined,
      data: d.changes.length ? { vtable: table } : undefined,
      actions: acts.list,
      markdown: d.markdown,
      json: withoutMarkdown(d),
      fileName: `closure-diff-gen-${d.from}-to-gen-${d.to}`,
    };
  },
};

/** A result's data for JSON export (the Markdown has its own export). */
export function withoutMarkdown<T extends { markdown?: string }>(r: T): Omit<T, 'markdown'> {
  const { markdown: _m, ...rest } = r;
  return rest;
}
