// The "Initrds" view (NixOS Boot container): images opened in this window, each under the engine's name ("initrd: gen 3 ·
// Linux 6.12.59 · 2026-11-22"), browsed through the `initrd:` file system. Mounts live in the
// window (workspace state), not in the user's .code-workspace; "Add to Workspace" puts one
// there when the user asks.
import * as vscode from 'vscode';
import type { InitrdIdentity } from '../../../server/src/protocol';
import { archiveUri, setImageName } from './uri';

const MOUNTS_VIEW = 'nixboot.initrds';
const STATE_KEY = 'nixboot.initrd.mounts';

export type MountNode =
  | { kind: 'mount'; file: string; title: string }
  | { kind: 'entry'; file: string; uri: vscode.Uri; type: vscode.FileType };

export class Mounts implements vscode.TreeDataProvider<MountNode>, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<MountNode | undefined>();
  readonly onDidChangeTreeData = this.emitter.event;
  private mounts: { file: string; title: string }[];
  readonly view: vscode.TreeView<MountNode>;

  constructor(private readonly state: vscode.Memento) {
    this.mounts = state.get<{ file: string; title: string }[]>(STATE_KEY, []);
    for (const m of this.mounts) setImageName(m.file, m.title);
    this.view = vscode.window.createTreeView(MOUNTS_VIEW, { treeDataProvider: this, showCollapseAll: true });
    void this.setContext();
  }

  private async setContext(): Promise<void> {
    await vscode.commands.executeCommand('setContext', 'nixboot.initrd.mounted', this.mounts.length > 0);
  }

  list(): readonly { file: string; title: string }[] {
    return this.mounts;
  }

  /** Adds (or renames) a mount and reveals it. */
  async mount(img: InitrdIdentity): Promise<void> {
    setImageName(img.file, img.title);
    const i = this.mounts.findIndex((m) => m.file === img.file);
    if (i >= 0) this.mounts[i] = { file: img.file, title: img.title };
    else this.mounts.push({ file: img.file, title: img.title });
    await this.state.update(STATE_KEY, this.mounts);
    await this.setContext();
    this.emitter.fire(undefined);
    await vscode.commands.executeCommand(`${MOUNTS_VIEW}.focus`);
    const node: MountNode = { kind: 'mount', file: img.file, title: img.title };
    await this.view
      .reveal(node, { select: true, focus: false, expand: true })
      .then(undefined, () => undefined);
  }

  async unmount(file: string): Promise<void> {
    this.mounts = this.mounts.filter((m) => m.file !== file);
    await this.state.update(STATE_KEY, this.mounts);
    await this.setContext();
    this.emitter.fire(undefined);
  }

  getParent(): undefined {
    return undefined;
  }

  async getChildren(node?: MountNode): Promise<MountNode[]> {
    if (!node) return this.mounts.map((m) => ({ kind: 'mount', ...m }));
    if (node.kind === 'entry' && !(node.type & vscode.FileType.Directory)) return [];
    const dir = node.kind === 'mount' ? archiveUri(node.file) : node.uri;
    const entries = await vscode.workspace.fs.readDirectory(dir);
    const isDir = (t: vscode.FileType) => (t & vscode.FileType.Directory ? 0 : 1);
    return entries
      .sort((a, b) => isDir(a[1]) - isDir(b[1]) || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
      .map(([name, type]) => ({ kind: 'entry', file: node.file, uri: vscode.Uri.joinPath(dir, name), type }));
  }

  getTreeItem(node: MountNode): vscode.TreeItem {
    if (node.kind === 'mount') {
      const t = new vscode.TreeItem(node.title, vscode.TreeItemCollapsibleState.Expanded);
      t.id = `mount:${node.file}`;
      t.description = node.file;
      t.tooltip = `${node.title}\n${node.file}`;
      t.iconPath = new vscode.ThemeIcon('file-zip');
      t.contextValue = 'initrdMount';
      return t;
    }
    const dir = !!(node.type & vscode.FileType.Directory);
    const t = new vscode.TreeItem(
      node.uri,
      dir ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None,
    );
    t.id = node.uri.toString();
    if (!dir) t.command = { command: 'vscode.open', title: 'Open', arguments: [node.uri] };
    t.contextValue = dir ? 'initrdDir' : 'initrdFile';
    return t;
  }

  dispose(): void {
    this.view.dispose();
    this.emitter.dispose();
  }
}
