// Status bar: which stage 1 the linter assumes for the active Nix file (systemd or scripted, and
// why), so release-dependent findings are never a surprise.
import * as vscode from 'vscode';
import { State } from 'vscode-languageclient/node';
import { StageOneRequest } from '../../../server/src/protocol';
import type { Ctx } from '../context';
import { send } from '../requests';

export function registerStageOneStatus(ctx: Ctx): void {
  const item = vscode.window.createStatusBarItem('nixboot.stageOne', vscode.StatusBarAlignment.Right, 100);
  item.name = 'NixOS stage 1';
  ctx.extension.subscriptions.push(item);

  const update = async (): Promise<void> => {
    const editor = vscode.window.activeTextEditor;
    if (!editor || editor.document.languageId !== 'nix') {
      item.hide();
      return;
    }
    try {
      const r = await send(ctx.client, StageOneRequest, { uri: editor.document.uri.toString() });
      item.text =
        r.systemd === true
          ? '$(server-process) stage 1: systemd'
          : r.systemd === false
            ? '$(terminal) stage 1: scripted'
            : '$(question) stage 1: unknown';
      item.tooltip = `nixboot lints for ${r.systemd === null ? 'both kinds of stage 1' : r.systemd ? 'systemd stage 1' : 'scripted stage 1'}: ${r.reason}.`;
      item.command = {
        title: 'Set NixOS release',
        command: 'workbench.action.openSettings',
        arguments: ['nixboot.nixosRelease'],
      };
      item.show();
    } catch {
      item.hide();
    }
  };
  ctx.extension.subscriptions.push(
    vscode.window.onDidChangeActiveTextEditor(() => void update()),
    vscode.workspace.onDidSaveTextDocument(() => void update()),
    // Asked before the server has the document or has read the workspace (its flake.lock, the
    // host's flake.nix), the answer can be "unknown": ask again once the server has linted it.
    vscode.languages.onDidChangeDiagnostics((e) => {
      const active = vscode.window.activeTextEditor?.document.uri.toString();
      if (active && e.uris.some((u) => u.toString() === active)) void update();
    }),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('nixboot')) void update();
    }),
  );
  ctx.extension.subscriptions.push(
    ctx.client.onDidChangeState((e) => {
      if (e.newState === State.Running) void update();
    }),
  );
  if (ctx.client.state === State.Running) void update();
}
