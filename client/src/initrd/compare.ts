// "Compare Initrds": a tree of added/removed/changed entries (units first); a changed file opens
// VS Code's diff editor on the two `initrd:` URIs.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { InitrdDiffRequest } from '../../../server/src/protocol';
import { withProgress } from '../requests';
import { archiveUri } from './uri';

type Change = InitrdDiffRequest.Result['changes'][number];
type Node = { kind: 'group'; label: string; changes: Change[] } | { kind: 'change'; change: Change };

export class CompareView implements vscode.TreeDataProvider<Node>, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<Node | undefined>();
  readonly onDidChangeTreeData = this.emitter.event;
  private groups: Node[] = [];
  private a = '';
  private b = '';
  private readonly view: vscode.TreeView<Node>;

  constructor(private readonly client: LanguageClient) {
    this.view = vscode.window.createTreeView('nixboot.initrd.diff', {
      treeDataProvider: this,
      showCollapseAll: true,
    });
  }

  private nameA = '';
  private nameB = '';

  /** Compares image `a` (older) with `b` (newer), named by the engine (images.ts orders them). */
  async show(x: { file: string; name: string }, y: { file: string; name: string }): Promise<void> {
    const a = x.file;
    const b = y.file;
    let r: InitrdDiffRequest.Result | undefined;
    try {
      r = await withProgress(this.client, `Comparing ${x.name} → ${y.name}`, InitrdDiffRequest, { a, b });
    } catch (e) {
      void vscode.window.showErrorMessage(`Cannot compare initrds: ${(e as Error).message}`);
      return;
    }
    if (!r) return;
    this.a = a;
    this.b = b;
    this.nameA = x.name;
    this.nameB = y.name;
    const units = r.changes.filter((c) => c.unit);
    const rest = r.changes.filter((c) => !c.unit);
    const group = (label: string, list: Change[]): Node[] =>
      list.length ? [{ kind: 'group', label: `${label} (${list.length})`, changes: list }] : [];
    this.groups = [
      ...group('systemd units', units),
      ...group(
        'changed',
        rest.filter((c) => c.kind === 'changed'),
      ),
      ...group(
        'added',
        rest.filter((c) => c.kind === 'added'),
      ),
      ...group(
        'removed',
        rest.filter((c) => c.kind === 'removed'),
      ),
    ];
    this.view.description = `${x.name} → ${y.name}`;
    this.view.message = r.changes.length ? undefined : 'The two images hold the same files.';
    this.emitter.fire(undefined);
    await vscode.commands.executeCommand('setContext', 'nixboot.initrd.comparing', true);
    await vscode.commands.executeCommand('nixboot.initrd.diff.focus');
  }

  getChildren(node?: Node): Node[] {
    if (!node) return this.groups;
    return node.kind === 'group' ? node.changes.map((change) => ({ kind: 'change', change })) : [];
  }

  getTreeItem(node: Node): vscode.TreeItem {
    if (node.kind === 'group')
      return new vscode.TreeItem(node.label, vscode.TreeItemCollapsibleState.Expanded);
    const c = node.change;
    const item = new vscode.TreeItem(c.path, vscode.TreeItemCollapsibleState.None);
    item.description = c.kind === 'changed' ? c.detail : c.kind;
    item.iconPath = new vscode.ThemeIcon(
      c.kind === 'added' ? 'diff-added' : c.kind === 'removed' ? 'diff-removed' : 'diff-modified',
    );
    const left = archiveUri(this.a, c.path);
    const right = archiveUri(this.b, c.path);
    if (c.kind === 'changed' && c.type === 'file') {
      item.command = {
        command: 'nixboot.initrd.openChange',
        title: 'Show change',
        arguments: [left, right, `${path.basename(c.path)} (${this.nameA} → ${this.nameB})`],
      };
    } else if (c.type === 'file') {
      item.command = {
        command: 'vscode.open',
        title: 'Open',
        arguments: [c.kind === 'removed' ? left : right],
      };
    }
    item.tooltip = `${c.kind}: ${c.path}${c.detail ? `\n${c.detail}` : ''}`;
    return item;
  }

  dispose(): void {
    this.view.dispose();
    this.emitter.dispose();
  }
}
