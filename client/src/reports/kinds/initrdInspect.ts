// "Inspect Initrd": segments, a treemap of sizes (by directory or by /nix/store path; click or
// Enter zooms in, the breadcrumb zooms out), sizes by top-level directory and store path, the
// largest files (Enter opens one from the image) and kernel modules. All figures come from the
// server (nixboot/initrd/inspect); the treemap layout (squarified) is drawn in the webview.
import type { InitrdInspectRequest } from '../../../../server/src/protocol';
import { Actions, bytes, esc, mdCode, mdText, slug, thead, type ReportKind } from '../html';

export type InitrdInspectData = InitrdInspectRequest.Result;

function base(p: string): string {
  return p.slice(p.lastIndexOf('/') + 1) || p;
}

export const initrdInspect: ReportKind<InitrdInspectData> = {
  id: 'initrdInspect',
  rerun: { command: 'nixboot.initrd.inspect', args: (d) => [d.file] },
  render(r) {
    const acts = new Actions();
    const title = `Initrd: ${base(r.file)}`;
    const sizeRows = (list: readonly { path: string; size: number; files?: number }[], open: boolean) =>
      list
        .map(
          (x) =>
            `<tr class="row"${open ? ` ${acts.attr({ kind: 'openInitrd', image: r.file, path: x.path })} title="Enter: open this file from the image"` : ''} data-size="${x.size}" data-name="${esc(x.path)}"><td class="num">${bytes(x.size)}</td>${x.files !== undefined ? `<td class="num">${x.files}</td>` : ''}<td class="path">${esc(x.path)}</td></tr>`,
        )
        .join('');
    const body = `
<p class="mono path">${esc(r.file)}</p>
<div class="summary">
<div class="fig"><span class="muted">Uncompressed</span><b>${bytes(r.total)}</b></div>
<div class="fig"><span class="muted">Files</span><b>${r.files}</b></div>
<div class="fig"><span class="muted">Segments</span><b>${r.segments.length}</b></div>
<div class="fig"><span class="muted">Kernel modules</span><b>${r.kernelModules.reduce((n, k) => n + k.modules, 0)}</b></div>
</div>
<div class="actions">${acts.button('Open in Explorer', { kind: 'command', command: 'nixboot.initrd.open', args: [r.file] }, { primary: true })}${acts.button('Check health', { kind: 'command', command: 'nixboot.initrd.check', args: [r.file] })}</div>
${r.cmdline !== undefined ? `<p>Kernel command line: <code>${esc(r.cmdline)}</code></p>` : ''}
<h2>Size map</h2>
<div class="tools" role="radiogroup" aria-label="Size map by"><label><input type="radio" name="mode" value="tree" checked> directories</label><label><input type="radio" name="mode" value="store"> /nix/store paths</label><span class="muted">Click or Enter zooms in; the path above the map zooms out.</span></div>
<nav id="crumbs" aria-label="Size map location"></nav>
<div id="map" role="group" aria-label="Size map"></div>
<h2>Segments</h2>
<table class="report" id="segments" aria-label="Segments">${thead([{ label: 'Offset', num: true }, { label: 'Compression' }, { label: 'Compressed', num: true }, { label: 'Uncompressed', num: true }, { label: 'Entries', num: true }])}<tbody>${r.segments
      .map(
        (s) =>
          `<tr class="row"><td class="num">${s.offset}</td><td>${esc(s.compression)}</td><td class="num">${bytes(s.compressedSize)}</td><td class="num">${bytes(s.size)}</td><td class="num">${s.entries}</td></tr>`,
      )
      .join('')}</tbody></table>
<h2>By top-level directory</h2>
<table class="report" id="top" aria-label="Size by top-level directory">${thead([
      { label: 'Size', num: true, sort: 'size', sorted: 'descending' },
      { label: 'Files', num: true },
      { label: 'Directory', sort: 'name' },
    ])}<tbody>${sizeRows(r.topLevel, false)}</tbody></table>
${
  r.storePaths.length
    ? `<h2>By store path</h2><table class="report" id="store" aria-label="Size by store path">${thead([
        { label: 'Size', num: true, sort: 'size', sorted: 'descending' },
        { label: 'Files', num: true },
        { label: 'Store path', sort: 'name' },
      ])}<tbody>${sizeRows(r.storePaths, false)}</tbody></table>`
    : ''
}
<h2>Largest files</h2>
<table class="report" id="largest" aria-label="Largest files">${thead([{ label: 'Size', num: true }, { label: 'File' }])}<tbody>${sizeRows(r.largest, true)}</tbody></table>
<h2>Kernel modules</h2>
${r.kernelModules.length ? `<table class="report" id="modules" aria-label="Kernel modules">${thead([{ label: 'Kernel' }, { label: 'Modules', num: true }, { label: 'Size', num: true }])}<tbody>${r.kernelModules.map((k) => `<tr class="row"><td>${esc(k.version)}</td><td class="num">${k.modules}</td><td class="num">${bytes(k.size)}</td></tr>`).join('')}</tbody></table>` : '<p class="muted">No kernel modules in this image.</p>'}`;
    const markdown = [
      `# Initrd ${mdCode(r.file)}`,
      '',
      `${r.files} files, ${bytes(r.total)} uncompressed.`,
      ...(r.cmdline !== undefined ? ['', `Kernel command line: ${mdCode(r.cmdline)}`] : []),
      '',
      '## Segments',
      '',
      '| Offset | Compression | Compressed | Uncompressed | Entries |',
      '|---:|---|---:|---:|---:|',
      ...r.segments.map(
        (s) =>
          `| ${s.offset} | ${s.compression} | ${bytes(s.compressedSize)} | ${bytes(s.size)} | ${s.entries} |`,
      ),
      '',
      '## By top-level directory',
      '',
      '| Size | Files | Directory |',
      '|---:|---:|---|',
      ...r.topLevel.map((x) => `| ${bytes(x.size)} | ${x.files} | ${mdText(x.path)} |`),
      ...(r.storePaths.length
        ? [
            '',
            '## By store path',
            '',
            '| Size | Files | Store path |',
            '|---:|---:|---|',
            ...r.storePaths.map((x) => `| ${bytes(x.size)} | ${x.files} | ${mdText(x.path)} |`),
          ]
        : []),
      '',
      '## Largest files',
      '',
      '| Size | File |',
      '|---:|---|',
      ...r.largest.map((x) => `| ${bytes(x.size)} | ${mdText(x.path)} |`),
      '',
      '## Kernel modules',
      '',
      ...(r.kernelModules.length
        ? [
            '| Kernel | Modules | Size |',
            '|---|---:|---:|',
            ...r.kernelModules.map((k) => `| ${mdText(k.version)} | ${k.modules} | ${bytes(k.size)} |`),
          ]
        : ['none']),
      '',
    ].join('\n');
    return {
      title,
      key: `initrdInspect:${r.file}`,
      body,
      style: TREEMAP_STYLE,
      script: TREEMAP_SCRIPT,
      data: { tree: r.tree, store: r.storePaths.map((s) => ({ path: s.path, size: s.size })) },
      actions: acts.list,
      markdown,
      json: r,
      fileName: `initrd-${slug(base(r.file))}`,
    };
  },
};

const TREEMAP_STYLE = `
#map{position:relative;overflow:hidden;width:100%;height:380px;border:1px solid var(--vscode-panel-border,var(--vscode-foreground));box-sizing:border-box}
#map .cell{position:absolute;box-sizing:border-box;border:1px solid var(--vscode-editor-background);overflow:hidden;font:inherit;font-size:11px;padding:2px 4px;text-align:left;vertical-align:top;display:flex;flex-direction:column;align-items:flex-start;justify-content:flex-start;color:var(--vscode-editor-foreground);cursor:default;border-radius:0;white-space:nowrap}
#map .cell.zoom{cursor:zoom-in}
#map .cell .sz{color:var(--vscode-descriptionForeground)}
#map .c0{background:color-mix(in srgb,var(--vscode-charts-blue) 45%,var(--vscode-editor-background))}
#map .c1{background:color-mix(in srgb,var(--vscode-charts-green) 45%,var(--vscode-editor-background))}
#map .c2{background:color-mix(in srgb,var(--vscode-charts-orange) 45%,var(--vscode-editor-background))}
#map .c3{background:color-mix(in srgb,var(--vscode-charts-purple) 45%,var(--vscode-editor-background))}
#map .c4{background:color-mix(in srgb,var(--vscode-charts-yellow) 45%,var(--vscode-editor-background))}
#map .c5{background:color-mix(in srgb,var(--vscode-charts-red) 45%,var(--vscode-editor-background))}
#map .cell:focus-visible{outline:2px solid var(--vscode-focusBorder);outline-offset:-2px;z-index:1}
#crumbs{margin:.4em 0}
#crumbs button{margin-right:2px}
`;

const TREEMAP_SCRIPT = `
const DATA = report.data;
const sizes = new Map(DATA.tree.map((t) => [t.path, t.size]));
const st = report.state();
let mode = st.mode || 'tree', root = st.root || '/';
function human(n) { return n >= 1048576 ? (n / 1048576).toFixed(1) + ' MiB' : n >= 1024 ? (n / 1024).toFixed(1) + ' KiB' : n + ' B'; }
function children(p) {
  if (mode === 'store') return p === '/' ? DATA.store.map((s) => ({ path: s.path, size: s.size, label: s.path.replace(/^\\/nix\\/store\\/[^-]*-/, '') })) : [];
  const pre = p === '/' ? '/' : p + '/';
  const out = [];
  for (const [k, v] of sizes) if (k.startsWith(pre) && k !== p && !k.slice(pre.length).includes('/')) out.push({ path: k, size: v, label: k.slice(pre.length) });
  return out;
}
function worst(row, side, scale) {
  let w = 0;
  for (const r of row) { const len = (r.size * scale) / side; w = Math.max(w, side / len, len / side); }
  return w;
}
function squarify(items, x, y, w, h) {
  const out = [];
  items = items.filter((i) => i.size > 0).sort((a, b) => b.size - a.size);
  let total = items.reduce((s, i) => s + i.size, 0);
  while (items.length && w > 0 && h > 0) {
    const short = Math.min(w, h), scale = (w * h) / total;
    let row = [], rowSum = 0, best = Infinity;
    for (const it of items) {
      const s = rowSum + it.size, side = (s * scale) / short;
      const wv = worst([...row, it], side, scale);
      if (wv > best) break;
      best = wv; row.push(it); rowSum = s;
    }
    items = items.slice(row.length);
    const side = (rowSum * scale) / short;
    let off = 0;
    for (const r of row) {
      const len = (r.size * scale) / side;
      if (w >= h) out.push(Object.assign({}, r, { x, y: y + off, w: side, h: len })); else out.push(Object.assign({}, r, { x: x + off, y, w: len, h: side }));
      off += len;
    }
    if (w >= h) { x += side; w -= side; } else { y += side; h -= side; }
    total -= rowSum;
  }
  return out;
}
function go(p) { root = p; report.saveState({ root, mode }); draw(); }
function draw() {
  const map = document.getElementById('map');
  map.textContent = '';
  const cells = squarify(children(root), 0, 0, map.clientWidth - 2, map.clientHeight - 2);
  cells.forEach((c, i) => {
    const zoom = children(c.path).length > 0;
    const d = document.createElement('button');
    d.type = 'button';
    d.className = 'cell c' + (i % 6) + (zoom ? ' zoom' : '');
    d.style.left = c.x + 'px'; d.style.top = c.y + 'px'; d.style.width = c.w + 'px'; d.style.height = c.h + 'px';
    // A sliver gets no padding (padding would make it wider than its share).
    if (c.w < 24 || c.h < 16) { d.style.padding = '0'; d.style.borderWidth = c.w < 3 || c.h < 3 ? '0' : ''; }
    d.title = c.path + ' — ' + human(c.size);
    d.setAttribute('aria-label', c.label + ', ' + human(c.size) + (zoom ? ', zoom in' : ''));
    const name = document.createElement('span'); name.textContent = c.label;
    const sz = document.createElement('span'); sz.className = 'sz'; sz.textContent = human(c.size);
    d.append(name, sz);
    d.addEventListener('click', () => { if (zoom) go(c.path); });
    map.appendChild(d);
  });
  if (!cells.length) { map.textContent = ''; const p = document.createElement('p'); p.className = 'muted'; p.textContent = 'Nothing to show here.'; map.appendChild(p); }
  const crumbs = document.getElementById('crumbs');
  crumbs.textContent = '';
  const parts = root === '/' ? [] : root.split('/').slice(1);
  [['/', '/'], ...parts.map((p, i) => [p, '/' + parts.slice(0, i + 1).join('/')])].forEach(([label, p], i, all) => {
    const b = document.createElement('button');
    b.type = 'button'; b.className = 'link'; b.textContent = label + (i < all.length - 1 ? ' ›' : '');
    if (i === all.length - 1) b.setAttribute('aria-current', 'location');
    b.addEventListener('click', () => go(p));
    crumbs.appendChild(b);
  });
}
document.querySelectorAll('input[name=mode]').forEach((r) => {
  r.checked = r.value === mode;
  r.addEventListener('change', () => { mode = r.value; go('/'); });
});
// Redraw when the map's size changes (window resize, a scrollbar appearing).
let lastW = -1, lastH = -1;
new ResizeObserver(() => { const m = document.getElementById('map'); if (m.clientWidth !== lastW || m.clientHeight !== lastH) { lastW = m.clientWidth; lastH = m.clientHeight; draw(); } }).observe(document.getElementById('map'));
draw();
`;
