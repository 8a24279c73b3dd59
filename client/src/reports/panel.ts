// The VS Code half of the report framework: one webview panel per report kind, reused (a new
// report of the same kind replaces the old one and reveals the panel), kept alive while hidden
// (retainContextWhenHidden, and the page's own vscode.setState for filter/sort/folds). Messages
// from the page are checked: it may only name an action of the report by index, or ask for an
// export; the path, command and arguments come from the report the extension rendered.
// Reports survive a window reload: each page keeps what it was rendered from in its webview state
// (bounded: RESTORE_LIMIT), and a WebviewPanelSerializer per kind (package.json
// `onWebviewPanel:nixboot.report.<id>`) renders it again; a report too large to keep comes back as
// a page that says so, with "Reload this report" (the kind's `rerun` command) when it has one.
import { randomBytes } from 'node:crypto';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Ctx } from '../context';
import { archiveUri } from '../initrd/uri';
import { page, type Action, type Rendered, type ReportKind } from './html';
import { isArgs, KINDS, RESTORE_LIMIT, restoreRecord, unavailable, type Restore } from './restore';

interface Open {
  readonly panel: vscode.WebviewPanel;
  rendered: Rendered;
}

/** The panels of one extension host. Created on first use (see `reports(ctx)`). */
export class ReportPanels implements vscode.Disposable {
  private readonly open = new Map<string, Open>();
  /** Fires after a report is shown (for the extension-host tests). */
  private readonly shownEmitter = new vscode.EventEmitter<{ kind: string; rendered: Rendered }>();
  readonly onDidShow = this.shownEmitter.event;

  constructor(private readonly ctx: Ctx) {}

  /** Renders `data` with `kind` into its panel (created, or reused and revealed). */
  show<D>(kind: ReportKind<D>, data: D, column: vscode.ViewColumn = vscode.ViewColumn.Active): Rendered {
    const rendered = kind.render(data);
    let o = this.open.get(kind.id);
    if (!o) {
      const panel = vscode.window.createWebviewPanel(`nixboot.report.${kind.id}`, rendered.title, column, {
        enableScripts: true,
        enableFindWidget: true,
        retainContextWhenHidden: true,
        localResourceRoots: [],
      });
      o = this.attach(kind.id, panel, rendered);
    } else {
      o.rendered = rendered;
      o.panel.reveal(undefined, false);
    }
    this.render(o, rendered, restoreRecord(kind, data, rendered));
    return rendered;
  }

  private attach(kindId: string, panel: vscode.WebviewPanel, rendered: Rendered): Open {
    const entry: Open = { panel, rendered };
    // One panel per kind: a second one (two restored after a reload) replaces the first in the map.
    this.open.set(kindId, entry);
    panel.onDidDispose(
      () => {
        if (this.open.get(kindId) === entry) this.open.delete(kindId);
      },
      undefined,
      this.ctx.extension.subscriptions,
    );
    panel.webview.onDidReceiveMessage(
      (m: unknown) => void this.onMessage(entry, m),
      undefined,
      this.ctx.extension.subscriptions,
    );
    return entry;
  }

  private render(o: Open, rendered: Rendered, restore: Restore): void {
    o.rendered = rendered;
    o.panel.title = rendered.title;
    o.panel.webview.html = page(rendered, { nonce: randomBytes(18).toString('base64'), restore });
    this.shownEmitter.fire({ kind: restore.kind, rendered });
  }

  /**
   * A report panel VS Code brings back after a window reload, with the webview state its page
   * kept (untrusted: it is checked, and a report that cannot be rendered from it says so).
   */
  restore(kind: ReportKind<never>, panel: vscode.WebviewPanel, state: unknown): void {
    panel.webview.options = { enableScripts: true, localResourceRoots: [] };
    const r = (state && typeof state === 'object' ? (state as { restore?: unknown }).restore : undefined) as
      Partial<Record<string, unknown>> | undefined;
    const placeholder = unavailable(
      kind,
      'This report was not kept across the window reload.',
      panel.title || 'Report',
    );
    const o = this.attach(kind.id, panel, placeholder);
    if (r && r.v === 1 && r.kind === kind.id && 'data' in r) {
      try {
        const rendered = kind.render(r.data as never);
        this.render(o, rendered, { v: 1, kind: kind.id, data: r.data });
        return;
      } catch (e) {
        this.render(
          o,
          unavailable(
            kind,
            `This report could not be shown again after the window reload: ${e instanceof Error ? e.message : String(e)}.`,
            panel.title || 'Report',
          ),
          { v: 1, kind: kind.id, title: panel.title, size: -1 },
        );
        return;
      }
    }
    if (
      r &&
      r.v === 1 &&
      r.kind === kind.id &&
      typeof r.title === 'string' &&
      typeof r.size === 'number' &&
      r.size > 0
    ) {
      const args = isArgs(r.args) ? r.args : undefined;
      const mb = (r.size / 2 ** 20).toFixed(1);
      const why = `This report (${Number.isFinite(r.size) ? `${mb} MB of data` : 'its data'}) was too large to keep across the window reload (limit ${(RESTORE_LIMIT / 2 ** 20).toFixed(0)} MB).`;
      this.render(o, unavailable(kind, why, r.title.slice(0, 300), args), {
        v: 1,
        kind: kind.id,
        title: r.title.slice(0, 300),
        size: r.size,
        ...(args ? { args } : {}),
      });
      return;
    }
    this.render(o, placeholder, { v: 1, kind: kind.id, title: placeholder.title, size: -1 });
  }

  /** The report shown by the panel of `kindId`, if open. */
  current(kindId: string): Rendered | undefined {
    return this.open.get(kindId)?.rendered;
  }

  private async onMessage(o: Open, m: unknown): Promise<void> {
    if (!m || typeof m !== 'object') return;
    const msg = m as { type?: unknown; id?: unknown; format?: unknown };
    try {
      if (msg.type === 'action' && typeof msg.id === 'number' && Number.isInteger(msg.id)) {
        const a = o.rendered.actions[msg.id];
        if (a) await this.run(a);
      } else if (msg.type === 'export' && (msg.format === 'markdown' || msg.format === 'json')) {
        await this.export(o.rendered, msg.format);
      }
    } catch (e) {
      void vscode.window.showErrorMessage(`nixboot: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  private async run(a: Action): Promise<void> {
    switch (a.kind) {
      case 'command':
        await vscode.commands.executeCommand(a.command, ...(a.args ?? []));
        return;
      case 'open': {
        // vscode.open (not showTextDocument): a binary file gets VS Code's binary editor, not an error.
        const pos = new vscode.Position(a.line ?? 0, a.character ?? 0);
        const options: vscode.TextDocumentShowOptions = {
          selection: new vscode.Range(pos, pos),
          viewColumn: vscode.ViewColumn.Beside,
          preview: true,
        };
        await vscode.commands.executeCommand('vscode.open', vscode.Uri.file(a.file), options);
        return;
      }
      case 'openInitrd':
        // The `initrd:` URI of a path inside an image (client/src/initrd/uri.ts builds it).
        if (a.line === undefined)
          await vscode.commands.executeCommand('vscode.open', archiveUri(a.image, a.path));
        else {
          const pos = new vscode.Position(a.line, 0);
          await vscode.commands.executeCommand('vscode.open', archiveUri(a.image, a.path), {
            selection: new vscode.Range(pos, pos),
            viewColumn: vscode.ViewColumn.Beside,
            preview: true,
          });
        }
        return;
      case 'copy':
        await vscode.env.clipboard.writeText(a.text);
        void vscode.window.setStatusBarMessage('$(copy) Copied', 2500);
        return;
    }
  }

  /** Saves the report as Markdown or JSON where the user says (a save dialog). */
  async export(
    r: Rendered,
    format: 'markdown' | 'json',
    target?: vscode.Uri,
  ): Promise<vscode.Uri | undefined> {
    const ext = format === 'markdown' ? 'md' : 'json';
    const folder = vscode.workspace.workspaceFolders?.find((f) => f.uri.scheme === 'file')?.uri;
    const uri =
      target ??
      (await vscode.window.showSaveDialog({
        title: `Export “${r.title}” as ${format === 'markdown' ? 'Markdown' : 'JSON'}`,
        defaultUri: folder ? vscode.Uri.joinPath(folder, `${r.fileName}.${ext}`) : undefined,
        filters: format === 'markdown' ? { Markdown: ['md'] } : { JSON: ['json'] },
        saveLabel: 'Export',
      }));
    if (!uri) return undefined;
    const text =
      format === 'markdown'
        ? r.markdown.endsWith('\n')
          ? r.markdown
          : `${r.markdown}\n`
        : `${JSON.stringify(r.json, null, 2)}\n`;
    await vscode.workspace.fs.writeFile(uri, Buffer.from(text, 'utf8'));
    void vscode.window
      .showInformationMessage(`Exported ${path.basename(uri.path)}`, 'Open')
      .then((pick) => pick && vscode.commands.executeCommand('vscode.open', uri));
    return uri;
  }

  dispose(): void {
    for (const o of this.open.values()) o.panel.dispose();
    this.open.clear();
    this.shownEmitter.dispose();
  }
}

let instance: ReportPanels | undefined;

/** Panel serializers of every report kind: reports open before a window reload come back (see restore()). */
export function registerReports(ctx: Ctx): void {
  for (const kind of KINDS) {
    ctx.extension.subscriptions.push(
      vscode.window.registerWebviewPanelSerializer(`nixboot.report.${kind.id}`, {
        deserializeWebviewPanel: async (panel, state) => reports(ctx).restore(kind, panel, state),
      }),
    );
  }
}

/** The report panels of this extension host (created on first use, disposed with the extension). */
export function reports(ctx: Ctx): ReportPanels {
  if (!instance) {
    const created = new ReportPanels(ctx);
    instance = created;
    ctx.extension.subscriptions.push(created, { dispose: () => (instance = undefined) });
  }
  return instance;
}
