// Extension-host test beside a second extension that contributes the `nix` language: a test double
// of Nix IDE (test/e2e/fake-nix-ide, installed into this profile only by test/e2e/run.mjs). nixboot
// sees it, keeps its findings, and leaves option hovers, option name completion and the Outline to
// the language server Nix IDE would run while `nix.enableLanguageServer` is on (docs/editors.md).
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';

const EXTENSION_ID = 'nixboot.nixboot';
const PEER_ID = 'jnoortheen.nix-ide';

function workspaceFile(name: string): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'a workspace folder is open');
  return vscode.Uri.joinPath(folder.uri, name);
}

async function hoverText(uri: vscode.Uri, pos: vscode.Position): Promise<string> {
  const hovers = await vscode.commands.executeCommand<vscode.Hover[]>(
    'vscode.executeHoverProvider',
    uri,
    pos,
  );
  return hovers
    .flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : 'value' in c ? c.value : '')))
    .join('\n');
}

async function symbolCount(uri: vscode.Uri): Promise<number> {
  const s = await vscode.commands.executeCommand<vscode.DocumentSymbol[] | undefined>(
    'vscode.executeDocumentSymbolProvider',
    uri,
  );
  return s?.length ?? 0;
}

/** Whether completion at `pos` offers `label` (the test double has no completion of its own). */
async function completes(uri: vscode.Uri, pos: vscode.Position, label: string): Promise<boolean> {
  const list = await vscode.commands.executeCommand<vscode.CompletionList>(
    'vscode.executeCompletionItemProvider',
    uri,
    pos,
  );
  return list.items.some((i) => (typeof i.label === 'string' ? i.label : i.label.label) === label);
}

/** Asks `probe` again (every 100 ms, at most `timeoutMs`) until `pred` holds: the server learns of the change by a notification. */
async function eventually<T>(
  probe: () => Promise<T>,
  pred: (v: T) => boolean,
  what: string,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (pred(v)) return v;
    if (Date.now() > deadline)
      throw new Error(`${what} within ${timeoutMs} ms (last: ${JSON.stringify(v).slice(0, 300)})`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('nixboot beside Nix IDE (test double)', () => {
  let uri: vscode.Uri;
  let enablePos: vscode.Position;
  // Right after `boot.loader.` on the same line: nixboot completes `systemd-boot`, `grub`, ….
  let loaderPos: vscode.Position;

  before(async () => {
    const ext = vscode.extensions.getExtension<{ serverReady: Promise<void> }>(EXTENSION_ID);
    assert.ok(ext);
    await (
      await ext.activate()
    ).serverReady;
    uri = workspaceFile('configuration.nix');
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(doc);
    const line = doc
      .getText()
      .split('\n')
      .findIndex((l) => l.includes('boot.loader.systemd-boot.enable'));
    assert.ok(line >= 0);
    enablePos = new vscode.Position(line, doc.lineAt(line).text.indexOf('enable') + 2);
    loaderPos = new vscode.Position(
      line,
      doc.lineAt(line).text.indexOf('boot.loader.') + 'boot.loader.'.length,
    );
  });

  after(async () => {
    await vscode.workspace
      .getConfiguration('nix')
      .update('enableLanguageServer', undefined, vscode.ConfigurationTarget.Global);
    await vscode.window.showTextDocument(uri);
    await vscode.commands.executeCommand('workbench.action.files.revert');
  });

  it('both extensions contribute the nix language; the document is nix', async () => {
    assert.ok(vscode.extensions.getExtension(PEER_ID), 'the Nix IDE test double is installed');
    const doc = await vscode.workspace.openTextDocument(uri);
    assert.equal(doc.languageId, 'nix');
  });

  it('nixboot keeps its own findings beside it', async () => {
    await eventually(
      async () =>
        vscode.languages
          .getDiagnostics(uri)
          .filter((d) => d.source === 'nixboot')
          .map((d) => String(typeof d.code === 'object' ? d.code.value : d.code)),
      (codes) => codes.includes('initrd-script-exit'),
      'initrd-script-exit was not reported',
    );
  });

  it('without its language server, nixboot gives option hovers, option completion and the Outline', async () => {
    await eventually(
      () => hoverText(uri, enablePos),
      (t) => t.includes('systemd-boot'),
      'no option hover on boot.loader.systemd-boot.enable',
    );
    assert.ok(await completes(uri, loaderPos, 'grub'), 'no completion of grub after boot.loader.');
    assert.ok((await symbolCount(uri)) > 3);
  });

  it('while Nix IDE runs nil/nixd, they step aside, and come back when it stops', async () => {
    await vscode.workspace
      .getConfiguration('nix')
      .update('enableLanguageServer', true, vscode.ConfigurationTarget.Global);
    await eventually(
      () => hoverText(uri, enablePos),
      (t) => !t.includes('systemd-boot'),
      'the option hover did not step aside',
    );
    await eventually(
      () => completes(uri, loaderPos, 'grub'),
      (c) => !c,
      'option completion did not step aside',
    );
    // VS Code keeps a document's symbols per version: the Outline follows at the next edit.
    const doc = await vscode.workspace.openTextDocument(uri);
    const edit = new vscode.WorkspaceEdit();
    edit.insert(uri, new vscode.Position(doc.lineCount, 0), '# edited by the coexistence test\n');
    assert.ok(await vscode.workspace.applyEdit(edit));
    await eventually(
      () => symbolCount(uri),
      (n) => n === 0,
      'the Outline was not left to nil/nixd',
    );
    await vscode.workspace
      .getConfiguration('nix')
      .update('enableLanguageServer', false, vscode.ConfigurationTarget.Global);
    await eventually(
      () => hoverText(uri, enablePos),
      (t) => t.includes('systemd-boot'),
      'the option hover did not come back',
    );
    await eventually(
      () => completes(uri, loaderPos, 'grub'),
      (c) => c,
      'option completion did not come back',
    );
  });
});
