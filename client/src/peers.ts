// What else serves the `nix` language in this window, reported to the server (protocol.ts,
// PeersNotification), which decides what to leave to it (server/src/lsp/coexistence.ts). Facts
// only: the other extensions that contribute `nix`, and the language server Nix IDE runs.
import * as vscode from 'vscode';
import { PeersNotification } from '../../server/src/protocol';
import type { Ctx } from './context';
import { notify } from './requests';

interface Manifest {
  contributes?: { languages?: Array<{ id?: string }>; grammars?: Array<{ language?: string }> };
}

const NIX_IDE = 'jnoortheen.nix-ide';

/** The peers now: enabled extensions other than `self` contributing the `nix` language or a grammar for it. */
export function currentPeers(self: string): PeersNotification.Params {
  const nixExtensions = vscode.extensions.all
    .filter((e) => e.id.toLowerCase() !== self.toLowerCase())
    .filter((e) => {
      const c = (e.packageJSON as Manifest).contributes;
      return (
        (c?.languages ?? []).some((l) => l.id === 'nix') ||
        (c?.grammars ?? []).some((g) => g.language === 'nix')
      );
    })
    .map((e) => e.id);
  let nixLanguageServer: string | null = null;
  if (nixExtensions.some((id) => id.toLowerCase() === NIX_IDE)) {
    // Nix IDE runs nil or nixd when `nix.enableLanguageServer` is on; `nix.serverPath` names it.
    const nix = vscode.workspace.getConfiguration('nix');
    if (nix.get<boolean>('enableLanguageServer') === true) {
      const raw = nix.get<string | string[]>('serverPath') ?? 'nixd';
      const cmd = (Array.isArray(raw) ? raw[0] : raw) ?? 'nixd';
      nixLanguageServer = cmd.split('/').pop() || 'nixd';
    }
  }
  return { nixExtensions, nixLanguageServer };
}

export function registerPeers(ctx: Ctx): void {
  const self = ctx.extension.extension.id;
  let last = JSON.stringify(currentPeers(self));
  const update = (): void => {
    const now = currentPeers(self);
    if (JSON.stringify(now) === last) return;
    last = JSON.stringify(now);
    // Before the server runs, the client waits for it; a server that failed to start has said so.
    notify(ctx.client, PeersNotification, now).catch(() => undefined);
  };
  ctx.extension.subscriptions.push(
    vscode.extensions.onDidChange(update),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('nix.enableLanguageServer') || e.affectsConfiguration('nix.serverPath'))
        update();
    }),
  );
}
