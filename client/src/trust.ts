// Workspace trust in the client. In an untrusted workspace nixboot only lints: the server is
// started with `trusted: false` (and refuses everything else by itself), commands that need trust
// say why instead of running, a status bar item says "Restricted Mode" and opens the trust
// editor. When the user grants trust, the server is told and the features come on at once.
import * as vscode from 'vscode';
import { DidChangeTrustNotification } from '../../server/src/protocol';
import type { Ctx } from './context';
import { notify } from './requests';
import { commandNeedsTrust, restrictedCommandMessage, RESTRICTED_STATUS, TRUST_ACTION } from './trustPolicy';

const listeners: Array<() => void> = [];

/** Runs `f` once trust is granted (nothing if the workspace is trusted already). */
export function onTrustGranted(f: () => void): void {
  listeners.push(f);
}

/** The title of a contributed command, for messages. */
function titleOf(ctx: Ctx, id: string): string {
  const cmds =
    (
      ctx.extension.extension.packageJSON as {
        contributes?: { commands?: { command: string; title: string }[] };
      }
    ).contributes?.commands ?? [];
  return cmds.find((c) => c.command === id)?.title ?? id;
}

/**
 * `vscode.commands.registerCommand`, with the trust policy applied: a command that needs trust
 * shows why it is off (with a button to manage trust) instead of running, in Restricted Mode.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- handlers declare typed parameters (a URI, a tree item), which unknown[] would reject
export function registerCommand(ctx: Ctx, id: string, f: (...args: any[]) => unknown): vscode.Disposable {
  if (!commandNeedsTrust(id)) return vscode.commands.registerCommand(id, f);
  return vscode.commands.registerCommand(id, async (...args: unknown[]) => {
    if (!vscode.workspace.isTrusted) {
      const pick = await vscode.window.showWarningMessage(
        restrictedCommandMessage(titleOf(ctx, id)),
        TRUST_ACTION.title,
      );
      if (pick === TRUST_ACTION.title) await vscode.commands.executeCommand(TRUST_ACTION.command);
      return undefined;
    }
    return f(...args);
  });
}

export function registerTrust(ctx: Ctx): void {
  const item = vscode.window.createStatusBarItem('nixboot.restricted', vscode.StatusBarAlignment.Left, 100);
  item.name = 'nixboot Restricted Mode';
  item.text = RESTRICTED_STATUS.text;
  item.tooltip = RESTRICTED_STATUS.tooltip;
  item.command = TRUST_ACTION.command;
  ctx.extension.subscriptions.push(item);
  if (vscode.workspace.isTrusted) return;
  item.show();
  ctx.extension.subscriptions.push(
    vscode.workspace.onDidGrantWorkspaceTrust(() => {
      item.hide();
      const p: DidChangeTrustNotification.Params = { trusted: true };
      // Queued by the language client if the server is still starting.
      void notify(ctx.client, DidChangeTrustNotification, p);
      for (const l of listeners) l();
    }),
  );
}
