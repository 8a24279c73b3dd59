// Which files are initrds and what they are called, as the engine says (nixboot/initrd/identify,
// …/candidates): the client never looks at bytes. Keeps the `nixboot.initrdFiles` context key
// (Explorer menus show initrd commands only on detected images) and resolves a command's image
// from what the user is looking at, asking only when nothing fits.
import * as path from 'node:path';
import * as vscode from 'vscode';
import {
  InitrdCandidatesRequest,
  InitrdIdentifyRequest,
  type InitrdIdentity,
} from '../../../server/src/protocol';
import type { Ctx } from '../context';
import { request } from '../requests';
import { parseUri, SCHEME, setImageName } from './uri';

/** View type of the read-only initrd viewer (package.json customEditors). */
export const VIEWER = 'nixboot.initrd.viewer';
/** Context key: object whose keys are the fs paths of workspace files detected as initrds. */
const CONTEXT_KEY = 'nixboot.initrdFiles';
/** Workspace files looked at (first 4 KiB each, by the server) for the context key. */
const SCAN_LIMIT = 2000;

function root(): string | undefined {
  const r = vscode.workspace.getConfiguration('nixboot').get<string>('systemRoot');
  return r && r.trim() ? r.trim() : undefined;
}

export class Images implements vscode.Disposable {
  private readonly detected = new Map<string, InitrdIdentity>();
  private readonly disposables: vscode.Disposable[] = [];
  /** The image the user last selected in a nixboot view (mounts), for commands run from the palette. */
  selected: string | undefined;

  constructor(private readonly ctx: Ctx) {}

  async identify(files: string[], olderFirst = false): Promise<InitrdIdentity[]> {
    const r = await request(this.ctx.client, InitrdIdentifyRequest, { files, root: root(), olderFirst });
    // Names go into `initrd:` URIs (tab titles, Problems groups): uri.ts.
    for (const img of r.images) if (img.kind) setImageName(img.file, img.title);
    return r.images;
  }

  /** The engine's name for `file` ("initrd: gen 3 · Linux 6.12.59 · 2026-11-22"); the file name if it cannot say. */
  async title(file: string): Promise<InitrdIdentity> {
    try {
      return (
        (await this.identify([file]))[0] ?? {
          file,
          name: path.basename(file),
          title: `initrd: ${path.basename(file)}`,
        }
      );
    } catch {
      return { file, name: path.basename(file), title: `initrd: ${path.basename(file)}` };
    }
  }

  isDetected(file: string): boolean {
    return this.detected.has(file);
  }

  /** Scans the workspace in the background (requests wait for the server) and follows file changes. */
  start(): void {
    if (!vscode.workspace.isTrusted) return;
    const watcher = vscode.workspace.createFileSystemWatcher('**/*');
    const recheck = (uri: vscode.Uri) => uri.scheme === 'file' && void this.update([uri.fsPath]);
    this.disposables.push(
      watcher,
      watcher.onDidCreate(recheck),
      watcher.onDidChange(recheck),
      watcher.onDidDelete((uri) => {
        if (this.detected.delete(uri.fsPath)) void this.publish();
      }),
      vscode.workspace.onDidChangeWorkspaceFolders(() => void this.scan()),
    );
    setTimeout(() => void this.scan(), 0);
  }

  private async scan(): Promise<void> {
    const uris = await vscode.workspace.findFiles(
      '**/*',
      '{**/node_modules/**,**/.git/**,**/*.nix,**/*.lock,**/*.md,**/*.json}',
      SCAN_LIMIT,
    );
    this.detected.clear();
    await this.update(uris.filter((u) => u.scheme === 'file').map((u) => u.fsPath));
  }

  private async update(files: string[]): Promise<void> {
    if (files.length === 0) return this.publish();
    try {
      for (const img of await this.identify(files)) {
        if (img.kind) this.detected.set(img.file, img);
        else this.detected.delete(img.file);
      }
    } catch {
      /* the server is not running (or not trusted): no initrd menus */
    }
    await this.publish();
  }

  private async publish(): Promise<void> {
    await vscode.commands.executeCommand(
      'setContext',
      CONTEXT_KEY,
      Object.fromEntries([...this.detected.keys()].map((f) => [f, true])),
    );
  }

  /** The image the user is looking at: the active initrd viewer, an `initrd:` file, a detected file, the selected mount. */
  active(): string | undefined {
    const tab = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
    if (tab instanceof vscode.TabInputCustom && tab.viewType === VIEWER && tab.uri.scheme === 'file')
      return tab.uri.fsPath;
    const uri =
      vscode.window.activeTextEditor?.document.uri ??
      (tab instanceof vscode.TabInputText ? tab.uri : undefined);
    if (uri?.scheme === SCHEME) return parseUri(uri).file;
    if (uri?.scheme === 'file' && this.detected.has(uri.fsPath)) return uri.fsPath;
    return this.selected;
  }

  /**
   * An image for a command: its argument (Uri, path, a mount row), else what the user is looking
   * at, else a pick among the workspace's initrds and the generations' (under the system root).
   */
  async pick(
    arg: unknown,
    title: string,
    opts: { skipActive?: boolean; except?: string } = {},
  ): Promise<string | undefined> {
    const given = argFile(arg);
    if (given) return given;
    const active = opts.skipActive ? undefined : this.active();
    if (active && active !== opts.except) return active;
    type Item = vscode.QuickPickItem & { file?: string };
    const items: Item[] = [];
    for (const img of this.detected.values()) {
      if (img.file === opts.except) continue;
      items.push({
        label: `$(file-zip) ${img.name}`,
        description: vscode.workspace.asRelativePath(img.file),
        file: img.file,
      });
    }
    let note: string | undefined;
    try {
      const c = await request(this.ctx.client, InitrdCandidatesRequest, { root: root() });
      note = c.note;
      if (c.images.length)
        items.push({ label: 'System generations', kind: vscode.QuickPickItemKind.Separator });
      for (const img of c.images) {
        if (img.file === opts.except) continue;
        items.push({
          label: `$(server) ${img.name}`,
          description: img.current ? 'current system' : undefined,
          detail: img.file,
          file: img.file,
        });
      }
    } catch (e) {
      note = (e as Error).message;
    }
    items.push(
      { label: '', kind: vscode.QuickPickItemKind.Separator },
      { label: '$(folder-opened) Choose a file…', description: note },
    );
    // ignoreFocusOut: the picker opens only after the engine has listed the generations; a command
    // run from the walkthrough marks its step done meanwhile and the Welcome page re-renders and
    // takes focus, which closed the picker (nothing opened) before the user could choose.
    const p = await vscode.window.showQuickPick(items, {
      title,
      placeHolder: 'Which initrd?',
      matchOnDescription: true,
      matchOnDetail: true,
      ignoreFocusOut: true,
    });
    if (!p) return undefined;
    if (p.file) return p.file;
    const files = await vscode.window.showOpenDialog({
      title,
      canSelectMany: false,
      openLabel: 'Use This Initrd',
    });
    return files?.[0]?.fsPath;
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}

/** A command argument (Uri, absolute path, an object with `file`) → an image path. */
function argFile(arg: unknown): string | undefined {
  if (arg instanceof vscode.Uri) {
    if (arg.scheme === 'file') return arg.fsPath;
    if (arg.scheme === SCHEME) return parseUri(arg).file;
  }
  if (typeof arg === 'string' && arg.length > 0) return path.resolve(arg);
  if (arg && typeof arg === 'object' && typeof (arg as { file?: unknown }).file === 'string')
    return (arg as { file: string }).file;
  return undefined;
}
