// Opening an initrd file shows what it is and what can be done with it, not its compressed bytes:
// a read-only custom editor (package.json customEditors, by file name) that asks the engine what
// the file is; a file that is no initrd after all reopens in the default editor.
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import type { Images } from './images';
import { VIEWER } from './images';

const ACTIONS: { id: string; label: string; command: string; primary?: boolean }[] = [
  { id: 'open', label: 'Open as Initrd (browse its files)', command: 'nixboot.initrd.open', primary: true },
  { id: 'check', label: 'Check Initrd Health', command: 'nixboot.initrd.check' },
  { id: 'inspect', label: 'Inspect Sizes', command: 'nixboot.initrd.inspect' },
  { id: 'compare', label: 'Compare with Another Initrd…', command: 'nixboot.initrd.compare' },
];

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

class InitrdViewer implements vscode.CustomReadonlyEditorProvider {
  constructor(private readonly images: Images) {}

  openCustomDocument(uri: vscode.Uri): vscode.CustomDocument {
    return { uri, dispose: () => undefined };
  }

  async resolveCustomEditor(doc: vscode.CustomDocument, panel: vscode.WebviewPanel): Promise<void> {
    const uri = doc.uri;
    const [img] = uri.scheme === 'file' ? await this.images.identify([uri.fsPath]).catch(() => []) : [];
    if (!img?.kind) {
      // Named like an initrd but not one (or the server cannot say): the ordinary editor.
      panel.dispose();
      await vscode.commands.executeCommand('vscode.openWith', uri, 'default');
      return;
    }
    panel.title = img.title;
    const nonce = randomBytes(16).toString('hex');
    panel.webview.options = { enableScripts: true, localResourceRoots: [] };
    panel.webview.html = `<!DOCTYPE html><html><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'nonce-${nonce}';">
<style>
body{font-family:var(--vscode-font-family);color:var(--vscode-foreground);padding:1.5em;max-width:52em}
code{font-family:var(--vscode-editor-font-family)}
.actions{display:flex;flex-wrap:wrap;gap:.6em;margin:1.2em 0}
button{font:inherit;padding:.45em 1em;border:1px solid var(--vscode-button-border,transparent);border-radius:2px;cursor:pointer;color:var(--vscode-button-secondaryForeground);background:var(--vscode-button-secondaryBackground)}
button.primary{color:var(--vscode-button-foreground);background:var(--vscode-button-background)}
button:focus-visible{outline:1px solid var(--vscode-focusBorder);outline-offset:2px}
.muted{color:var(--vscode-descriptionForeground)}
a{color:var(--vscode-textLink-foreground)}
</style></head><body>
<h2>${esc(img.title)}</h2>
<p><code>${esc(img.file)}</code></p>
<p class="muted">An initrd (${esc(img.kind === 'uki' ? 'unified kernel image' : img.kind === 'cpio' ? 'uncompressed cpio archive' : `${img.kind}-compressed cpio archive`)}): the compressed archive the kernel unpacks before stage 1. Its bytes are not text; browse its files instead.</p>
<div class="actions">${ACTIONS.map((a) => `<button data-action="${a.id}" class="${a.primary ? 'primary' : ''}">${esc(a.label)}</button>`).join('')}</div>
<p class="muted"><a href="#" data-action="bytes">Open the raw bytes in the text editor anyway</a></p>
<script nonce="${nonce}">
const vscode = acquireVsCodeApi();
document.querySelectorAll('[data-action]').forEach(el => el.addEventListener('click', e => { e.preventDefault(); vscode.postMessage({ action: el.dataset.action }); }));
document.querySelector('button.primary').focus();
</script></body></html>`;
    panel.webview.onDidReceiveMessage((m: { action?: string }) => {
      const a = ACTIONS.find((x) => x.id === m.action);
      if (a) void vscode.commands.executeCommand(a.command, uri);
      else if (m.action === 'bytes') void vscode.commands.executeCommand('vscode.openWith', uri, 'default');
    });
  }
}

export function registerViewer(images: Images): vscode.Disposable {
  return vscode.window.registerCustomEditorProvider(VIEWER, new InitrdViewer(images), {
    webviewOptions: { retainContextWhenHidden: false },
    supportsMultipleEditorsPerDocument: true,
  });
}
