// A virtualised, grouped, sortable, filterable table for reports with thousands of rows (the
// closure diff): the extension escapes every cell in Node (esc()), the page keeps the rows as data
// and puts only the rows in view (plus a margin) into the DOM, so a 2,000- or 20,000-row report
// opens as fast as a 50-row one (bench/reports.ts). Table semantics stay: a real <table> with
// aria-rowcount, aria-rowindex on each row, scope'd headers, aria-sort, foldable row groups
// (aria-expanded), one tab stop (arrows, Home/End, PageUp/PageDown move; Enter runs the row's
// action). Filter, sort and folds are kept with the page state for the same report key.
import { esc } from './html';

export interface VColumn {
  readonly label: string;
  /** Key into each row's `sort` values; absent: the column does not sort. */
  readonly sort?: string;
  readonly num?: boolean;
  /** CSS width (table-layout is fixed: rows have one height). */
  readonly width: string;
}

export interface VRow {
  /** Escaped HTML of each cell (esc()). */
  readonly cells: readonly string[];
  /** Class of each cell ('' for none). */
  readonly classes?: readonly string[];
  /** Sort values by column key. */
  readonly sort: Readonly<Record<string, string | number>>;
  /** Lower-case text the filter searches. */
  readonly text: string;
  /** Index into the report's actions (Enter / double-click). */
  readonly action?: number;
  /** Tooltip (escaped at render time in the page: set as a property, not markup). */
  readonly title?: string;
}

export interface VGroup {
  readonly id: string;
  readonly label: string;
  readonly cls?: string;
  readonly rows: readonly VRow[];
}

export interface VTable {
  readonly id: string;
  readonly label: string;
  readonly columns: readonly VColumn[];
  readonly groups: readonly VGroup[];
  readonly filterPlaceholder: string;
}

/** The table's skeleton (the page fills its body); `data` goes into the report's data as `vtable`. */
export function vtableHtml(t: VTable): string {
  const total = t.groups.reduce((n, g) => n + g.rows.length + 1, 0);
  return `<div class="tools"><input type="search" id="${esc(t.id)}-filter" placeholder="${esc(t.filterPlaceholder)}" aria-label="${esc(t.filterPlaceholder)}" aria-controls="${esc(t.id)}"><span class="muted" id="${esc(t.id)}-count"></span></div>
<table class="report vtable" id="${esc(t.id)}" aria-label="${esc(t.label)}" aria-rowcount="${total + 1}">
<colgroup>${t.columns.map((c) => `<col class="w-${esc(c.width.replace(/[^\w]/g, ''))}">`).join('')}</colgroup>
<thead><tr aria-rowindex="1">${t.columns
    .map((c, i) => {
      const cls = c.num ? ' class="num"' : '';
      return c.sort
        ? `<th scope="col"${cls} data-col="${i}" aria-sort="none"><button type="button">${esc(c.label)}</button></th>`
        : `<th scope="col"${cls}>${esc(c.label)}</th>`;
    })
    .join('')}</tr></thead>
<tbody></tbody></table>`;
}

/** CSS for the column widths (the CSP forbids style attributes; classes carry the widths). */
export function vtableStyle(t: VTable): string {
  return `${t.columns.map((c) => `table.vtable col.w-${c.width.replace(/[^\w]/g, '')}{width:${c.width.replace(/[^\w.%]/g, '')}}`).join('\n')}
table.vtable{table-layout:fixed}
table.vtable td,table.vtable tbody th{white-space:nowrap;overflow:hidden;text-overflow:ellipsis;height:22px;line-height:22px;padding-top:0;padding-bottom:0;box-sizing:border-box}
table.vtable tr.spacer td{padding:0;border:0}
table.vtable tbody tr:not(.spacer){height:22px}
table.vtable tr.group th{padding-top:0;border-bottom:0;box-shadow:inset 0 -1px 0 var(--vscode-panel-border,transparent)}
`;
}

/** The page script: `report.data.vtable` is the VTable. */
export const VTABLE_SCRIPT = `
const T = report.data.vtable;
const table = document.getElementById(T.id);
const tbody = table.tBodies[0];
const filterInput = document.getElementById(T.id + '-filter');
const countOut = document.getElementById(T.id + '-count');
const st = report.state();
let sort = st.vsort || null;          // { col, dir }
let query = st.vfilter || '';
const folded = Object.assign({}, st.vfolded);
let items = [];                        // flattened: { g } group header, or { r } row
let focusIndex = 0;
let rowH = 22;
const OVERSCAN = 30;
function cmp(col, dir) {
  const c = T.columns[col]; const key = c.sort; const sign = dir === 'ascending' ? 1 : -1;
  return c.num ? (a, b) => sign * ((a.sort[key] || 0) - (b.sort[key] || 0)) : (a, b) => sign * String(a.sort[key]).localeCompare(String(b.sort[key]));
}
function flatten() {
  const q = query.trim().toLowerCase();
  items = [];
  let shown = 0;
  for (const g of T.groups) {
    let rows = q ? g.rows.filter((r) => r.text.includes(q)) : g.rows.slice();
    if (sort) rows.sort(cmp(sort.col, sort.dir));
    shown += rows.length;
    items.push({ g, n: rows.length });
    if (!folded[g.id]) for (const r of rows) items.push({ r });
  }
  table.setAttribute('aria-rowcount', String(items.length + 1));
  countOut.textContent = q ? shown + ' shown' : '';
  focusIndex = Math.min(focusIndex, Math.max(0, items.length - 1));
  return shown;
}
function cell(tag, html, cls) { const c = document.createElement(tag); c.innerHTML = html; if (cls) c.className = cls; return c; }
function rowEl(i) {
  const it = items[i];
  const tr = document.createElement('tr');
  tr.setAttribute('aria-rowindex', String(i + 2));
  tr.dataset.index = String(i);
  tr.tabIndex = i === focusIndex ? 0 : -1;
  if (it.g) {
    tr.className = 'group';
    const th = document.createElement('th');
    th.scope = 'rowgroup'; th.colSpan = T.columns.length;
    if (it.g.cls) th.className = it.g.cls;
    const b = document.createElement('button');
    b.type = 'button'; b.tabIndex = -1;
    b.setAttribute('aria-expanded', String(!folded[it.g.id]));
    b.dataset.group = it.g.id;
    b.textContent = it.g.label + ' (' + (query.trim() ? it.n + ' of ' + it.g.rows.length : it.g.rows.length) + ')';
    th.appendChild(b); tr.appendChild(th);
  } else {
    tr.className = 'row';
    const r = it.r;
    if (r.title) tr.title = r.title;
    r.cells.forEach((h, k) => tr.appendChild(cell('td', h, (T.columns[k].num ? 'num ' : '') + ((r.classes && r.classes[k]) || ''))));
  }
  return tr;
}
function spacer(h) { const tr = document.createElement('tr'); tr.className = 'spacer'; tr.setAttribute('aria-hidden', 'true'); const td = document.createElement('td'); td.colSpan = T.columns.length; td.style.height = h + 'px'; tr.appendChild(td); return tr; }
let lastRange = '';
function render(force) {
  const top = table.getBoundingClientRect().top + window.scrollY + table.tHead.offsetHeight;
  const first = Math.max(0, Math.floor((window.scrollY - top) / rowH) - OVERSCAN);
  const count = Math.ceil(window.innerHeight / rowH) + 2 * OVERSCAN;
  const last = Math.min(items.length, first + count);
  const key = first + ':' + last;
  if (!force && key === lastRange) return;
  lastRange = key;
  const hadFocus = tbody.contains(document.activeElement);
  const frag = document.createDocumentFragment();
  frag.appendChild(spacer(first * rowH));
  for (let i = first; i < last; i++) frag.appendChild(rowEl(i));
  frag.appendChild(spacer((items.length - last) * rowH));
  tbody.replaceChildren(frag);
  const probe = tbody.querySelector('tr.row, tr.group');
  const h = probe ? probe.getBoundingClientRect().height : 0;
  if (h && Math.abs(h - rowH) > 0.01) { rowH = h; lastRange = ''; render(true); if (hadFocus) focusRow(focusIndex, false); return; }
  if (hadFocus) focusRow(focusIndex, false);
}
function focusRow(i, scroll) {
  if (!items.length) return;
  focusIndex = Math.max(0, Math.min(items.length - 1, i));
  let el = tbody.querySelector('tr[data-index="' + focusIndex + '"]');
  if (!el || scroll) {
    const top = table.getBoundingClientRect().top + window.scrollY + table.tHead.offsetHeight + focusIndex * rowH;
    const barH = document.querySelector('.bar').offsetHeight + table.tHead.offsetHeight;
    if (top < window.scrollY + barH) window.scrollTo(0, top - barH);
    else if (top + rowH > window.scrollY + window.innerHeight) window.scrollTo(0, top + rowH - window.innerHeight);
    render(true);
    el = tbody.querySelector('tr[data-index="' + focusIndex + '"]');
  }
  tbody.querySelectorAll('tr[tabindex="0"]').forEach((x) => { x.tabIndex = -1; });
  if (el) { el.tabIndex = 0; el.focus({ preventScroll: true }); }
}
function toggle(gid) {
  folded[gid] = !folded[gid];
  report.saveState({ vfolded: Object.assign({}, folded) });
  flatten(); render(true);
}
function activate(i) {
  const it = items[i];
  if (!it) return;
  if (it.g) { toggle(it.g.id); focusRow(items.findIndex((x) => x.g === it.g), false); }
  else if (it.r.action !== undefined) report.post({ type: 'action', id: it.r.action });
}
tbody.addEventListener('keydown', (e) => {
  const tr = e.target.closest && e.target.closest('tr[data-index]');
  if (!tr) return;
  const i = Number(tr.dataset.index);
  const page = Math.max(1, Math.floor(window.innerHeight / rowH) - 3);
  const go = { ArrowDown: i + 1, ArrowUp: i - 1, Home: 0, End: items.length - 1, PageDown: i + page, PageUp: i - page }[e.key];
  if (go !== undefined) { e.preventDefault(); focusRow(go, true); return; }
  if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); activate(i); }
  if ((e.key === 'ArrowLeft' || e.key === 'ArrowRight') && items[i].g) { const open = !folded[items[i].g.id]; if (open === (e.key === 'ArrowLeft')) { e.preventDefault(); activate(i); } }
});
tbody.addEventListener('click', (e) => {
  const tr = e.target.closest('tr[data-index]');
  if (!tr) return;
  const i = Number(tr.dataset.index);
  focusIndex = i;
  tbody.querySelectorAll('tr[tabindex="0"]').forEach((x) => { x.tabIndex = -1; });
  tr.tabIndex = 0;
  if (items[i].g) activate(i);
});
tbody.addEventListener('dblclick', (e) => { const tr = e.target.closest('tr.row[data-index]'); if (tr) activate(Number(tr.dataset.index)); });
table.tHead.querySelectorAll('th[data-col] button').forEach((b) => b.addEventListener('click', () => {
  const th = b.closest('th'); const col = Number(th.dataset.col);
  const dir = sort && sort.col === col && sort.dir === 'descending' ? 'ascending' : 'descending';
  sort = { col, dir };
  setSortHeaders();
  report.saveState({ vsort: sort });
  flatten(); render(true);
  report.announce('Sorted by ' + b.textContent + ', ' + dir);
}));
function setSortHeaders() { table.tHead.querySelectorAll('th[data-col]').forEach((th) => th.setAttribute('aria-sort', sort && Number(th.dataset.col) === sort.col ? sort.dir : 'none')); }
filterInput.value = query;
filterInput.addEventListener('input', () => {
  query = filterInput.value;
  report.saveState({ vfilter: query });
  const shown = flatten(); render(true);
  report.announce(shown + ' rows shown');
});
setSortHeaders();
flatten();
render(true);
let pending = false;
window.addEventListener('scroll', () => { if (!pending) { pending = true; requestAnimationFrame(() => { pending = false; render(false); }); } }, { passive: true });
window.addEventListener('resize', () => render(true));
`;
