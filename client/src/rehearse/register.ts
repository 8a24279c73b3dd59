// "Rehearse Boot of Generation…": the server boots the generation in QEMU (nixboot/rehearse/start);
// here only UI: the live serial console in a terminal (a Pseudoterminal; what the user types goes
// to the guest), cancellable progress, the verdict as a notification and a report (the `rehearsal`
// webview, client/src/reports/kinds/rehearsal.ts), and a Problems
// entry on the configuration line behind a failure.
import * as vscode from 'vscode';
import {
  GenerationsListRequest,
  RehearseConsoleNotification,
  RehearseInputNotification,
  RehearseRequest,
  type GenerationInfo,
} from '../../../server/src/protocol';
import type { Ctx } from '../context';
import { walkthroughStepDone } from '../walkthrough';
import { rehearsal } from '../reports/kinds';
import { reports } from '../reports/panel';
import { notify, onNotification, send } from '../requests';
import { registerCommand } from '../trust';

function generationOf(arg: unknown): string | undefined {
  if (arg && typeof arg === 'object') {
    const o = arg as { kind?: string; g?: GenerationInfo; generation?: number };
    if (o.kind === 'generation' && o.g) return String(o.g.generation);
    if (typeof o.generation === 'number') return String(o.generation);
  }
  if (typeof arg === 'number' || (typeof arg === 'string' && /^\d+$/.test(arg))) return String(arg);
  return undefined;
}

export function registerRehearse(ctx: Ctx): void {
  const diagnostics = vscode.languages.createDiagnosticCollection('nixboot-rehearse');
  const consoles = new Map<string, vscode.EventEmitter<string>>();
  let counter = 0;
  onNotification(ctx.client, RehearseConsoleNotification, (p) => {
    // A terminal wants CRLF line ends.
    consoles.get(p.id)?.fire(p.text.replace(/\r?\n/g, '\r\n'));
  });
  const root = () => {
    const s = vscode.workspace.getConfiguration('nixboot').get<string>('systemRoot');
    return s && s.trim() ? s.trim() : undefined;
  };

  const run = async (arg?: unknown) => {
    // The code lens "Rehearse the last build" passes `{ path }`: a `result` toplevel.
    const built =
      arg && typeof arg === 'object' && typeof (arg as { path?: unknown }).path === 'string'
        ? (arg as { path: string }).path
        : undefined;
    let generation = built ? undefined : generationOf(arg);
    if (!generation && !built) {
      const list = await send(ctx.client, GenerationsListRequest, { root: root() });
      const pick = await vscode.window.showQuickPick(
        [...list.generations].reverse().map((g) => ({
          label: `Generation ${g.generation}`,
          description: [g.nixosVersion, g.kernelVersion && `Linux ${g.kernelVersion}`, g.default && 'default']
            .filter(Boolean)
            .join(' · '),
          generation: String(g.generation),
        })),
        // ignoreFocusOut: started from the walkthrough, the Welcome page takes the focus back.
        { placeHolder: 'Generation to rehearse (boots its kernel and initrd in QEMU)', ignoreFocusOut: true },
      );
      if (!pick) return;
      generation = pick.generation;
    }
    const what = built ? 'the last build' : `generation ${generation}`;
    const What = what[0]!.toUpperCase() + what.slice(1);
    const id = `rehearse-${process.pid}-${++counter}`;
    const output = new vscode.EventEmitter<string>();
    consoles.set(id, output);
    const pty: vscode.Pseudoterminal = {
      onDidWrite: output.event,
      open: () =>
        output.fire(`nixboot: rehearsing ${what} (serial console; what you type goes to the guest)\r\n`),
      close: () => undefined,
      handleInput: (data) => void notify(ctx.client, RehearseInputNotification, { id, text: data }),
    };
    const terminal = vscode.window.createTerminal({ name: `Rehearse ${what}`, pty });
    terminal.show(true);
    try {
      const r = await vscode.window.withProgress(
        {
          location: vscode.ProgressLocation.Notification,
          title: `Rehearsing the boot of ${what}`,
          cancellable: true,
        },
        (_progress, token) =>
          send(
            ctx.client,
            RehearseRequest,
            {
              id,
              root: root(),
              ...(built ? { path: built } : { generation }),
              accel: 'auto',
              timeoutSeconds: 90,
            },
            token,
          ),
      );
      walkthroughStepDone('rehearsed');
      output.fire(
        `\r\n\r\nnixboot: ${r.ok ? 'HEALTHY' : `FAILED (${r.verdict})`} after ${(r.timeMs / 1000).toFixed(1)} s: ${r.summary}\r\n`,
      );
      const byFile = new Map<string, vscode.Diagnostic[]>();
      for (const c of r.causes) {
        const d = new vscode.Diagnostic(
          new vscode.Range(c.line - 1, Math.max(0, c.column - 1), c.line - 1, 10_000),
          `Boot rehearsal of ${what}: ${r.summary}`,
          vscode.DiagnosticSeverity.Error,
        );
        d.source = 'nixboot rehearse';
        d.code = r.verdict;
        byFile.set(c.file, [...(byFile.get(c.file) ?? []), d]);
      }
      diagnostics.clear();
      for (const [file, ds] of byFile) diagnostics.set(vscode.Uri.file(file), ds);
      const actions = ['Show Report', ...(r.causes.length ? ['Go to Cause'] : [])];
      const show = r.ok ? vscode.window.showInformationMessage : vscode.window.showErrorMessage;
      const choice = await show(
        `${What}: ${r.ok ? 'stage 1 is healthy' : r.verdict} (${(r.timeMs / 1000).toFixed(1)} s). ${r.summary}`,
        ...actions,
      );
      if (choice === 'Show Report') reports(ctx).show(rehearsal, { what, result: r });
      if (choice === 'Go to Cause') {
        const c = r.causes[0]!;
        const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(c.file));
        const pos = new vscode.Position(c.line - 1, Math.max(0, c.column - 1));
        await vscode.window.showTextDocument(doc, { selection: new vscode.Range(pos, pos) });
      }
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      output.fire(`\r\nnixboot: ${msg}\r\n`);
      if (!/cancel/i.test(msg)) void vscode.window.showErrorMessage(`Boot rehearsal: ${msg}`);
    } finally {
      consoles.delete(id);
    }
  };

  ctx.extension.subscriptions.push(diagnostics, registerCommand(ctx, 'nixboot.rehearse.generation', run));
}
