// Inspector webview: segments, a clickable treemap of sizes (directories and store paths),
// largest files and kernel modules. All figures come from the server (nixboot/initrd/inspect).
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import type { Ctx } from '../context';
import { InitrdInspectRequest } from '../../../server/src/protocol';
import { withProgress } from './client';
import { archiveUri } from './uri';

export async function openInspector(ctx: Ctx, file: string): Promise<void> {
  let r: InitrdInspectRequest.Result | undefined;
  try {
    r = await withProgress<InitrdInspectRequest.Result>(ctx.client, `Inspecting ${path.basename(file)}`, InitrdInspectRequest.method, { file });
  } catch (e) {
    void vscode.window.showErrorMessage(`Cannot inspect ${file}: ${(e as Error).message}`);
    return;
  }
  if (!r) return;
  const panel = vscode.window.createWebviewPanel('nixboot.initrd.inspector', `Initrd: ${path.basename(file)}`, vscode.ViewColumn.Active, { enableScripts: true, localResourceRoots: [] });
  panel.webview.html = html(panel.webview, r);
  panel.webview.onDidReceiveMessage(
    (m: { open?: string; explorer?: boolean }) => {
      if (typeof m.open === 'string') void vscode.commands.executeCommand('vscode.open', archiveUri(file, m.open));
      if (m.explorer) void vscode.commands.executeCommand('nixboot.initrd.open', file);
    },
    undefined,
    ctx.extension.subscriptions,
  );
}

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function html(webview: vscode.Webview, r: InitrdInspectRequest.Result): string {
  const nonce = randomBytes(16).toString('hex');
  const mb = (n: number) => (n >= 1 << 20 ? `${(n / 2 ** 20).toFixed(1)} MiB` : n >= 1024 ? `${(n / 1024).toFixed(1)} KiB` : `${n} B`);
  const rows = (list: { path: string; size: number }[], link: boolean) =>
    list.map((x) => `<tr><td class="num">${mb(x.size)}</td><td>${link ? `<a href="#" data-open="${esc(x.path)}">${esc(x.path)}</a>` : esc(x.path)}</td></tr>`).join('');
  const data = JSON.stringify({ tree: r.tree, store: r.storePaths }).replace(/</g, '\\u003c');
  return `<!DOCTYPE html><html><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src ${webview.cspSource} 'unsafe-inline'; script-src 'nonce-${nonce}';">
<style>
body{font-family:var(--vscode-font-family);color:var(--vscode-foreground)}
table{border-collapse:collapse;margin-bottom:1em}td,th{padding:2px 8px;text-align:left}.num{text-align:right;font-variant-numeric:tabular-nums}
#map{position:relative;width:100%;height:420px;border:1px solid var(--vscode-panel-border)}
.cell{position:absolute;box-sizing:border-box;border:1px solid var(--vscode-editor-background);overflow:hidden;font-size:11px;padding:2px;cursor:pointer;color:#fff}
#crumbs a{cursor:pointer;margin-right:4px}
</style></head><body>
<h2>${esc(path.basename(r.file))}</h2>
<p>${esc(r.file)} — ${r.files} files, ${mb(r.total)} <a href="#" id="explorer">Open in Explorer</a></p>
${r.cmdline !== undefined ? `<p>Kernel command line: <code>${esc(r.cmdline)}</code></p>` : ''}
<h3>Segments</h3>
<table><tr><th>offset</th><th>compression</th><th class="num">compressed</th><th class="num">uncompressed</th><th class="num">entries</th></tr>
${r.segments.map((s) => `<tr><td class="num">${s.offset}</td><td>${s.compression}</td><td class="num">${mb(s.compressedSize)}</td><td class="num">${mb(s.size)}</td><td class="num">${s.entries}</td></tr>`).join('')}</table>
<h3>Size map <small>(click to zoom in)</small></h3>
<div><label><input type="radio" name="mode" value="tree" checked> directories</label> <label><input type="radio" name="mode" value="store"> /nix/store paths</label></div>
<div id="crumbs"></div><div id="map"></div>
<h3>By top-level directory</h3><table>${rows(r.topLevel, false)}</table>
${r.storePaths.length ? `<h3>By store path</h3><table>${rows(r.storePaths.slice(0, 50), false)}</table>` : ''}
<h3>Largest files</h3><table>${rows(r.largest, true)}</table>
<h3>Kernel modules</h3>${r.kernelModules.length ? `<table>${r.kernelModules.map((k) => `<tr><td>${esc(k.version)}</td><td class="num">${k.modules} modules</td><td class="num">${mb(k.size)}</td></tr>`).join('')}</table>` : '<p>none</p>'}
<script nonce="${nonce}">
const vscode = acquireVsCodeApi();
const DATA = ${data};
document.querySelectorAll('[data-open]').forEach(a => a.addEventListener('click', e => { e.preventDefault(); vscode.postMessage({ open: a.dataset.open }); }));
document.getElementById('explorer').addEventListener('click', e => { e.preventDefault(); vscode.postMessage({ explorer: true }); });
const sizes = new Map(DATA.tree.map(t => [t.path, t.size]));
let mode = 'tree', root = '/';
function children(p) {
  if (mode === 'store') return p === '/' ? DATA.store.map(s => ({ path: s.path, size: s.size, label: s.path.slice(44) || s.path })) : [];
  const pre = p === '/' ? '/' : p + '/';
  const out = [];
  for (const [k, v] of sizes) if (k.startsWith(pre) && k !== p && !k.slice(pre.length).includes('/')) out.push({ path: k, size: v, label: k.slice(pre.length) });
  return out;
}
function squarify(items, x, y, w, h, out) {
  items = items.filter(i => i.size > 0).sort((a, b) => b.size - a.size);
  let total = items.reduce((s, i) => s + i.size, 0);
  while (items.length) {
    const short = Math.min(w, h), scale = (w * h) / total;
    let row = [], rowSum = 0, best = Infinity;
    for (const it of items) {
      const s = rowSum + it.size, side = s * scale / short;
      const worst = Math.max(...[...row, it].map(r => Math.max(side / (r.size * scale / side), (r.size * scale / side) / side)));
      if (worst > best) break;
      best = worst; row.push(it); rowSum = s;
    }
    items = items.slice(row.length);
    const side = rowSum * scale / short;
    let off = 0;
    for (const r of row) {
      const len = r.size * scale / side;
      if (w >= h) out.push({ ...r, x, y: y + off, w: side, h: len }); else out.push({ ...r, x: x + off, y, w: len, h: side });
      off += len;
    }
    if (w >= h) { x += side; w -= side; } else { y += side; h -= side; }
    total -= rowSum;
  }
  return out;
}
function human(n) { return n >= 1048576 ? (n / 1048576).toFixed(1) + ' MiB' : n >= 1024 ? (n / 1024).toFixed(1) + ' KiB' : n + ' B'; }
function draw() {
  const map = document.getElementById('map');
  map.textContent = '';
  const cells = squarify(children(root), 0, 0, map.clientWidth, map.clientHeight, []);
  cells.forEach((c, i) => {
    const d = document.createElement('div');
    d.className = 'cell';
    Object.assign(d.style, { left: c.x + 'px', top: c.y + 'px', width: c.w + 'px', height: c.h + 'px', background: 'hsl(' + ((i * 47) % 360) + ',45%,38%)' });
    d.title = c.path + ' — ' + human(c.size);
    d.textContent = c.label + ' ' + human(c.size);
    d.addEventListener('click', () => { if (children(c.path).length) { root = c.path; draw(); } });
    map.appendChild(d);
  });
  const crumbs = document.getElementById('crumbs');
  crumbs.textContent = '';
  const parts = root === '/' ? [] : root.split('/').slice(1);
  [['/', '/'], ...parts.map((p, i) => [p, '/' + parts.slice(0, i + 1).join('/')])].forEach(([label, p]) => {
    const a = document.createElement('a');
    a.textContent = label + ' ›';
    a.addEventListener('click', () => { root = p; draw(); });
    crumbs.appendChild(a);
  });
}
document.querySelectorAll('input[name=mode]').forEach(r => r.addEventListener('change', () => { mode = r.value; root = '/'; draw(); }));
window.addEventListener('resize', draw);
draw();
</script></body></html>`;
}
