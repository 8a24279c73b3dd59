// The pure half of the report framework: a report kind turns the server's typed result into a
// `Rendered` report (escaped HTML body, the actions its buttons and rows may trigger, Markdown and
// JSON for export), and `page()` wraps it in a CSP-locked document with the shared stylesheet and
// script. Nothing here imports vscode, so unit tests and the benchmark render reports in Node.
//
// Security: every string from the server (file names from archives, commit subjects, store paths)
// goes through `esc()`, which escapes HTML and makes control characters visible. The webview can
// only name an action by its index into `Rendered.actions`; it never sends a command id or a path.
// How to add a report kind: docs/reports.md.

/** What a button or row of a report does when activated, carried out by the extension (panel.ts). */
export type Action =
  | { readonly kind: 'command'; readonly command: string; readonly args?: readonly unknown[] }
  | { readonly kind: 'open'; readonly file: string; readonly line?: number; readonly character?: number }
  | { readonly kind: 'openInitrd'; readonly image: string; readonly path: string; readonly line?: number }
  | { readonly kind: 'copy'; readonly text: string };

export interface Rendered {
  /** Panel title (plain text). */
  readonly title: string;
  /** Stable name of what is shown: the webview keeps filter/sort/collapsed state only for the same key. */
  readonly key: string;
  /** Escaped HTML of the report body. */
  readonly body: string;
  /** CSS of this kind, added to the shared stylesheet (theme variables only, no url()). */
  readonly style?: string;
  /** Script of this kind, run after the shared one (it sees `report`, see SHARED_SCRIPT). */
  readonly script?: string;
  /** JSON handed to `script` as `report.data`. */
  readonly data?: unknown;
  readonly actions: readonly Action[];
  /** Export as Markdown. */
  readonly markdown: string;
  /** Export as JSON. */
  readonly json: unknown;
  /** File name (without extension) the export dialog proposes. */
  readonly fileName: string;
}

/** A report kind: one panel each (reused), rendered from the data its command got from the server. */
export interface ReportKind<D> {
  /** Panel view type suffix: `nixboot.report.<id>`. */
  readonly id: string;
  render(data: D): Rendered;
  /**
   * The command that makes this report again, and its arguments for `data` (strings and numbers
   * only: they are kept in the webview's state). A report too large to keep across a window
   * reload comes back as a "Reload this report" button that runs it (panel.ts).
   */
  readonly rerun?: { readonly command: string; args(data: D): (string | number)[] };
}

const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** Control characters, line separators and bidi overrides made visible (`\n`, `\x1b`, `\u202e`). */
export function visible(s: string): string {
  if (!CONTROL.test(s)) return s;
  CONTROL.lastIndex = 0;
  return s.replace(CONTROL, (c) => {
    const n = c.charCodeAt(0);
    if (c === '\n') return '\\n';
    if (c === '\r') return '\\r';
    if (c === '\t') return '\\t';
    return n < 0x100 ? `\\x${n.toString(16).padStart(2, '0')}` : `\\u${n.toString(16).padStart(4, '0')}`;
  });
}

/** Text for HTML content or a quoted attribute: escaped, control characters visible. */
export function esc(s: unknown): string {
  return visible(String(s)).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Multi-line text for a <pre>: like esc(), but line breaks (and tabs) stay as they are. */
export function escLines(s: unknown): string {
  return String(s)
    .split(/\r?\n/)
    .map((l) => l.split('\t').map(esc).join('\t'))
    .join('\n');
}

/** Text for Markdown inline code: control characters visible, backticks cannot end the span. */
export function mdCode(s: unknown): string {
  return `\`${visible(String(s)).replace(/`/g, "'")}\``;
}

/** Text for Markdown prose or a table cell: markup neutralised. */
export function mdText(s: unknown): string {
  return visible(String(s)).replace(/[\\`*_[\]<>#|!~]/g, (c) => `\\${c}`);
}

export function bytes(n: number | undefined): string {
  if (n === undefined || !Number.isFinite(n)) return '?';
  const a = Math.abs(n);
  const s =
    a >= 2 ** 30
      ? `${(a / 2 ** 30).toFixed(1)} GiB`
      : a >= 2 ** 20
        ? `${(a / 2 ** 20).toFixed(1)} MiB`
        : a >= 1024
          ? `${(a / 1024).toFixed(1)} KiB`
          : `${a} B`;
  return n < 0 ? `−${s}` : s;
}

export function signedBytes(n: number): string {
  return n > 0 ? `+${bytes(n)}` : n < 0 ? bytes(n) : '0 B';
}

export function isoTime(seconds: number): string {
  return Number.isFinite(seconds) && Math.abs(seconds) < 8.64e12
    ? new Date(seconds * 1000).toISOString().replace('.000Z', 'Z')
    : String(seconds);
}

/** Collects a report's actions; `attr(a)` gives the attribute that binds an element to one. */
export class Actions {
  readonly list: Action[] = [];
  attr(a: Action): string {
    this.list.push(a);
    return `data-action="${this.list.length - 1}"`;
  }
  /** A button that runs `a`. */
  button(label: string, a: Action, opts: { primary?: boolean; title?: string } = {}): string {
    return `<button type="button" class="${opts.primary ? 'primary' : 'secondary'}" ${this.attr(a)}${opts.title ? ` title="${esc(opts.title)}"` : ''}>${esc(label)}</button>`;
  }
}

/** A slug for file names: letters, digits, dot, dash. */
export function slug(s: string): string {
  return (
    s
      .replace(/[^\w.@-]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 80) || 'report'
  );
}

export interface PageOptions {
  /** A fresh random nonce per page (base64 or hex). */
  readonly nonce: string;
  /**
   * What brings the report back after a window reload (panel.ts): the page keeps it in its
   * webview state (vscode.setState) as `restore`, which VS Code hands to the panel serializer.
   */
  readonly restore?: unknown;
}

/** JSON inside a <script type="application/json">: `<` escaped so no `</script>` can end it. */
export function scriptJson(v: unknown): string {
  return JSON.stringify(v ?? null)
    .replace(/</g, '\\u003c')
    .replace(
      /[\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/g,
      (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
    );
}

/** The whole webview document: strict CSP (nothing but this page's nonce), theme colours only. */
export function page(r: Rendered, o: PageOptions): string {
  if (!/^[A-Za-z0-9+/=_-]{16,}$/.test(o.nonce))
    throw new Error('page(): the nonce must be at least 16 base64/hex characters');
  const n = o.nonce;
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'nonce-${n}'; script-src 'nonce-${n}'; img-src data:; font-src 'none'; connect-src 'none'; frame-src 'none'; form-action 'none'; base-uri 'none';">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(r.title)}</title>
<style nonce="${n}">${STYLE}${(r.style ?? '').replace(/<\//g, '<\\/')}</style>
</head><body>
<header class="bar"><h1>${esc(r.title)}</h1><div class="export" role="group" aria-label="Export">
<button type="button" class="secondary" data-export="markdown" title="Save this report as a Markdown file">Export Markdown</button>
<button type="button" class="secondary" data-export="json" title="Save this report's data as a JSON file">Export JSON</button></div></header>
<main>${r.body}</main>
<div id="status" role="status" aria-live="polite" class="sr-only"></div>
<script nonce="${n}" type="application/json" id="report-data">${scriptJson({ key: r.key, data: r.data ?? null, restore: o.restore ?? null })}</script>
<script nonce="${n}">${SHARED_SCRIPT}</script>
${r.script ? `<script nonce="${n}">(function(report){${r.script}\n})(window.nixbootReport);</script>` : ''}
<script nonce="${n}">document.body.dataset.ready = '1';</script>
</body></html>`;
}

const STYLE = `
:root{color-scheme:light dark}
body{font-family:var(--vscode-font-family);font-size:var(--vscode-font-size);color:var(--vscode-foreground);background:var(--vscode-editor-background);margin:0;padding:0 20px 24px}
.bar{display:flex;align-items:center;gap:12px;flex-wrap:wrap;position:sticky;top:0;background:var(--vscode-editor-background);padding:10px 0 8px;border-bottom:1px solid var(--vscode-panel-border,transparent);z-index:2}
.bar h1{font-size:1.35em;font-weight:600;margin:0;flex:1 1 auto;overflow-wrap:anywhere}
h2{font-size:1.1em;font-weight:600;margin:1.4em 0 .5em}
button{font:inherit;border:1px solid var(--vscode-button-border,transparent);border-radius:2px;padding:3px 10px;cursor:pointer}
button.primary{background:var(--vscode-button-background);color:var(--vscode-button-foreground)}
button.primary:hover{background:var(--vscode-button-hoverBackground)}
button.secondary{background:var(--vscode-button-secondaryBackground);color:var(--vscode-button-secondaryForeground)}
button.secondary:hover{background:var(--vscode-button-secondaryHoverBackground)}
button.link{background:none;border:none;padding:0;color:var(--vscode-textLink-foreground);text-align:left}
button.link:hover{text-decoration:underline;color:var(--vscode-textLink-activeForeground)}
:focus-visible{outline:1px solid var(--vscode-focusBorder);outline-offset:-1px}
code,pre,.mono{font-family:var(--vscode-editor-font-family);font-size:var(--vscode-editor-font-size)}
code{overflow-wrap:anywhere}
pre{background:var(--vscode-textCodeBlock-background);padding:8px 10px;white-space:pre-wrap;overflow-wrap:anywhere;margin:4px 0}
.muted{color:var(--vscode-descriptionForeground)}
.summary{margin:.8em 0;display:flex;gap:18px;flex-wrap:wrap}
.summary .fig{display:flex;flex-direction:column}
.summary .fig b{font-size:1.25em;font-weight:600}
.actions{display:flex;gap:8px;flex-wrap:wrap;margin:.8em 0}
.badge{display:inline-block;border-radius:9px;padding:0 8px;font-size:.9em;font-weight:600}
.ok{color:var(--vscode-testing-iconPassed,var(--vscode-charts-green))}
.bad{color:var(--vscode-errorForeground)}
.warn{color:var(--vscode-editorWarning-foreground)}
.add{color:var(--vscode-gitDecoration-addedResourceForeground,var(--vscode-charts-green))}
.del{color:var(--vscode-gitDecoration-deletedResourceForeground,var(--vscode-charts-red))}
.chg{color:var(--vscode-gitDecoration-modifiedResourceForeground,var(--vscode-charts-yellow))}
input[type=search],input[type=text]{font:inherit;background:var(--vscode-input-background);color:var(--vscode-input-foreground);border:1px solid var(--vscode-input-border,transparent);padding:3px 6px;min-width:260px}
.tools{display:flex;gap:10px;align-items:center;flex-wrap:wrap;margin:.6em 0}
table.report{border-collapse:collapse;width:100%;table-layout:auto}
table.report th,table.report td{padding:3px 8px;text-align:left;vertical-align:top}
table.report thead th{position:sticky;top:var(--bar-height,44px);background:var(--vscode-editor-background);border-bottom:1px solid var(--vscode-panel-border,var(--vscode-foreground));font-weight:600;white-space:nowrap;z-index:1}
table.report thead th button{background:none;border:none;padding:0;color:inherit;font-weight:600}
table.report th[aria-sort=ascending] button::after{content:' ▲'}
table.report th[aria-sort=descending] button::after{content:' ▼'}
table.report tbody tr.row:hover{background:var(--vscode-list-hoverBackground)}
table.report tbody tr.row:focus{background:var(--vscode-list-focusBackground);outline:1px solid var(--vscode-list-focusOutline,var(--vscode-focusBorder))}
table.report tr.group th{padding-top:10px;border-bottom:1px solid var(--vscode-panel-border,transparent)}
table.report tr.group button[aria-expanded]{background:none;border:none;color:inherit;font-weight:600;padding:0}
table.report tr.group button[aria-expanded]::before{content:'▾ ';display:inline-block;width:1em}
table.report tr.group button[aria-expanded=false]::before{content:'▸ '}
table.report tr.group button.secondary{margin-left:12px;padding:0 8px;font-size:.9em}
.report td button{white-space:nowrap}
.num{text-align:right!important;font-variant-numeric:tabular-nums;white-space:nowrap}
td.path{overflow-wrap:anywhere;font-family:var(--vscode-editor-font-family)}
.sr-only{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
[hidden]{display:none!important}
`;

/**
 * The webview script every report shares. It gives kind scripts `window.nixbootReport` =
 * { data, post(msg), state(), saveState(patch), announce(text) } and wires:
 * - `[data-action]` elements: click (and Enter/Space on rows) posts {type:'action', id};
 * - `[data-export]` buttons: post {type:'export', format};
 * - `table.report` keyboard navigation: one tab stop per table (roving tabindex), arrows,
 *   Home/End, PageUp/PageDown, Enter activates the row's action;
 * - `th[data-sort]` headers: sort every tbody of the table by `data-<key>` of its rows
 *   (numeric when `data-type="num"`), aria-sort updated;
 * - `input[data-filter]`: hides rows whose `data-text` lacks the text, announces the count;
 * - `tr.group button[aria-expanded]`: folds the rows of its tbody.
 * Filter, sort and folded groups are kept with vscode.setState for the same report key.
 */
const SHARED_SCRIPT = `
(function(){
const vscode = acquireVsCodeApi();
const payload = JSON.parse(document.getElementById('report-data').textContent);
let st = vscode.getState();
if (!st || st.key !== payload.key) st = { key: payload.key };
// Kept in the webview state at once (not only when the user filters or sorts): VS Code hands the
// state to the panel serializer after a window reload, and it brings the report back from it.
if (payload.restore) { st.restore = payload.restore; vscode.setState(st); }
const report = window.nixbootReport = {
  data: payload.data,
  post: (m) => vscode.postMessage(m),
  state: () => st,
  saveState: (patch) => { st = Object.assign({}, st, patch); vscode.setState(st); },
  announce: (t) => { const s = document.getElementById('status'); s.textContent = ''; setTimeout(() => { s.textContent = t; }, 30); },
};
const bar = document.querySelector('.bar');
const setBar = () => document.documentElement.style.setProperty('--bar-height', bar.offsetHeight + 'px');
setBar(); window.addEventListener('resize', setBar);
document.addEventListener('click', (e) => {
  const ex = e.target.closest('[data-export]');
  if (ex) { report.post({ type: 'export', format: ex.dataset.export }); return; }
  const a = e.target.closest('[data-action]');
  if (a) { e.preventDefault(); report.post({ type: 'action', id: Number(a.dataset.action) }); }
});
function rows(table) { return Array.from(table.querySelectorAll('tbody tr.row')).filter((r) => !r.hidden); }
function focusRow(table, r) {
  if (!r) return;
  table.querySelectorAll('tbody tr.row[tabindex="0"]').forEach((x) => { x.tabIndex = -1; });
  r.tabIndex = 0; r.focus();
}
function resetTabStop(table) {
  const all = rows(table);
  if (!all.length) return;
  if (!all.some((r) => r.tabIndex === 0)) { table.querySelectorAll('tbody tr.row').forEach((x) => { x.tabIndex = -1; }); all[0].tabIndex = 0; }
}
document.querySelectorAll('table.report:not(.vtable)').forEach((table) => {
  table.querySelectorAll('tbody tr.row').forEach((r, i) => { r.tabIndex = i === 0 ? 0 : -1; });
  table.addEventListener('keydown', (e) => {
    const r = e.target.closest && e.target.closest('tr.row');
    if (!r || e.target !== r) return;
    const all = rows(table); const i = all.indexOf(r);
    const go = { ArrowDown: i + 1, ArrowUp: i - 1, Home: 0, End: all.length - 1, PageDown: i + 20, PageUp: i - 20 }[e.key];
    if (go !== undefined) { e.preventDefault(); focusRow(table, all[Math.max(0, Math.min(all.length - 1, go))]); return; }
    if (e.key === 'Enter' || e.key === ' ') {
      const a = r.matches('[data-action]') ? r : r.querySelector('[data-action]');
      if (a) { e.preventDefault(); report.post({ type: 'action', id: Number(a.dataset.action) }); }
    }
  });
  table.addEventListener('click', (e) => { const r = e.target.closest('tr.row'); if (r) { table.querySelectorAll('tbody tr.row[tabindex="0"]').forEach((x) => { x.tabIndex = -1; }); r.tabIndex = 0; } });
});
function sortTable(table, key, dir, type) {
  table.querySelectorAll('th[data-sort]').forEach((th) => th.setAttribute('aria-sort', th.dataset.sort === key ? dir : 'none'));
  const sign = dir === 'ascending' ? 1 : -1;
  table.querySelectorAll('tbody').forEach((tb) => {
    const list = Array.from(tb.querySelectorAll('tr.row'));
    const val = (r) => r.dataset[key] ?? '';
    list.sort(type === 'num' ? (a, b) => sign * (Number(val(a)) - Number(val(b))) : (a, b) => sign * val(a).localeCompare(val(b)));
    tb.append(...list);
  });
}
document.querySelectorAll('th[data-sort] button').forEach((b) => b.addEventListener('click', () => {
  const th = b.closest('th'); const table = th.closest('table');
  const dir = th.getAttribute('aria-sort') === 'descending' ? 'ascending' : 'descending';
  sortTable(table, th.dataset.sort, dir, th.dataset.type);
  const sorts = Object.assign({}, st.sorts); sorts[table.id] = { key: th.dataset.sort, dir, type: th.dataset.type };
  report.saveState({ sorts });
  report.announce('Sorted by ' + b.textContent.trim() + ', ' + dir);
}));
function applyFilter(input) {
  const table = document.getElementById(input.dataset.filter);
  const q = input.value.trim().toLowerCase();
  let shown = 0;
  table.querySelectorAll('tbody').forEach((tb) => {
    const folded = tb.dataset.folded === '1';
    let n = 0;
    tb.querySelectorAll('tr.row').forEach((r) => { const m = !q || (r.dataset.text || r.textContent).toLowerCase().includes(q); r.dataset.match = m ? '1' : '0'; r.hidden = !m || folded; if (m) n++; });
    const c = tb.querySelector('tr.group .count'); if (c) c.textContent = q ? n + ' of ' + c.dataset.total : c.dataset.total;
    shown += n;
  });
  resetTabStop(table);
  const out = document.querySelector('[data-filter-count="' + input.dataset.filter + '"]');
  if (out) out.textContent = q ? shown + ' shown' : '';
  return shown;
}
document.querySelectorAll('input[data-filter]').forEach((input) => {
  input.addEventListener('input', () => {
    const shown = applyFilter(input);
    const filters = Object.assign({}, st.filters); filters[input.dataset.filter] = input.value; report.saveState({ filters });
    report.announce(shown + ' rows shown');
  });
});
function fold(btn, open) {
  const tb = btn.closest('tbody');
  btn.setAttribute('aria-expanded', String(open));
  tb.dataset.folded = open ? '0' : '1';
  tb.querySelectorAll('tr.row').forEach((r) => { r.hidden = !open || r.dataset.match === '0'; });
  resetTabStop(tb.closest('table'));
}
document.querySelectorAll('tr.group button[aria-expanded]').forEach((btn) => btn.addEventListener('click', () => {
  const open = btn.getAttribute('aria-expanded') !== 'true';
  fold(btn, open);
  const folded = Object.assign({}, st.folded); folded[btn.dataset.group] = !open; report.saveState({ folded });
}));
// Restore what the user had for this report.
for (const [id, s] of Object.entries(st.sorts || {})) { const t = document.getElementById(id); if (t) sortTable(t, s.key, s.dir, s.type); }
for (const [id, v] of Object.entries(st.filters || {})) { const i = document.querySelector('input[data-filter="' + id + '"]'); if (i) { i.value = v; applyFilter(i); } }
for (const [g, f] of Object.entries(st.folded || {})) { const b = document.querySelector('tr.group button[data-group="' + g + '"]'); if (b && f) fold(b, false); }
})();
`;

export interface Column {
  readonly label: string;
  /** Sort key (row data attribute); absent: not sortable. */
  readonly sort?: string;
  readonly num?: boolean;
  /** Initial aria-sort. */
  readonly sorted?: 'ascending' | 'descending';
}

/** A table head with sortable columns. */
export function thead(cols: readonly Column[]): string {
  return `<thead><tr>${cols
    .map((c) => {
      const cls = c.num ? ' class="num"' : '';
      if (!c.sort) return `<th scope="col"${cls}>${esc(c.label)}</th>`;
      return `<th scope="col"${cls} data-sort="${esc(c.sort)}"${c.num ? ' data-type="num"' : ''} aria-sort="${c.sorted ?? 'none'}"><button type="button">${esc(c.label)}</button></th>`;
    })
    .join('')}</tr></thead>`;
}

/** A tbody that starts with a foldable group header row. `rows` are `<tr class="row">` strings. */
export function group(
  id: string,
  label: string,
  count: number,
  columns: number,
  rows: string,
  cls = '',
): string {
  return `<tbody><tr class="group"><th scope="rowgroup" colspan="${columns}"${cls ? ` class="${cls}"` : ''}><button type="button" aria-expanded="true" data-group="${esc(id)}">${esc(label)} (<span class="count" data-total="${count}">${count}</span>)</button></th></tr>${rows}</tbody>`;
}

/** A filter box bound to table `tableId`. */
export function filterBox(tableId: string, placeholder: string): string {
  return `<div class="tools"><input type="search" data-filter="${esc(tableId)}" placeholder="${esc(placeholder)}" aria-label="${esc(placeholder)}" aria-controls="${esc(tableId)}"><span class="muted" data-filter-count="${esc(tableId)}"></span></div>`;
}
