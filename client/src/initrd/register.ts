// Initrd features in the editor: the `initrd:` file system, "Open Initrd in Explorer",
// "Inspect Initrd", "Compare Initrds", and health-check problems on `initrd:` files.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Ctx } from '../context';
import { registerCommand } from '../trust';
import { InitrdCheckRequest, InitrdOpenRequest } from '../../../server/src/protocol';
import { withProgress } from './client';
import { InitrdFileSystem } from './fsProvider';
import { openInspector } from './inspector';
import { CompareView } from './compare';
import { archiveUri, parseUri, SCHEME } from './uri';

const CURRENT = '/run/current-system/initrd';

/** A command argument (Uri, fs path string, or nothing) → an absolute image path, or undefined. */
export async function pickImage(arg: unknown, title: string): Promise<string | undefined> {
  if (arg instanceof vscode.Uri) {
    if (arg.scheme === 'file') return arg.fsPath;
    if (arg.scheme === SCHEME) return parseUri(arg).file;
  }
  if (typeof arg === 'string' && arg.length > 0) return path.resolve(arg);
  const items: (vscode.QuickPickItem & { value?: string })[] = [
    { label: '$(file) Choose a file…', value: undefined },
    { label: `$(server) Current system`, description: CURRENT, value: CURRENT },
  ];
  const pick = await vscode.window.showQuickPick(items, { title });
  if (!pick) return undefined;
  if (pick.value) return pick.value;
  const files = await vscode.window.showOpenDialog({ title, canSelectMany: false, openLabel: 'Open Initrd' });
  return files?.[0]?.fsPath;
}

export function registerInitrd(ctx: Ctx): void {
  const { client, extension } = ctx;
  const diagnostics = vscode.languages.createDiagnosticCollection('nixboot-initrd');
  extension.subscriptions.push(
    diagnostics,
    vscode.workspace.registerFileSystemProvider(SCHEME, new InitrdFileSystem(client), { isReadonly: true, isCaseSensitive: true }),
  );

  const publishProblems = async (file: string) => {
    try {
      const r = await withProgress<InitrdCheckRequest.Result>(client, `Checking ${path.basename(file)}`, InitrdCheckRequest.method, { file });
      if (!r) return;
      const byPath = new Map<string, vscode.Diagnostic[]>();
      for (const p of r.problems) {
        const line = p.line ?? 0;
        const d = new vscode.Diagnostic(new vscode.Range(line, 0, line, 1000), p.message, p.severity === 'error' ? vscode.DiagnosticSeverity.Error : vscode.DiagnosticSeverity.Warning);
        d.source = 'nixboot initrd';
        d.code = p.code;
        const list = byPath.get(p.path) ?? [];
        list.push(d);
        byPath.set(p.path, list);
      }
      for (const [p, list] of byPath) diagnostics.set(archiveUri(file, p), list);
    } catch (e) {
      void vscode.window.showWarningMessage(`Initrd health check failed: ${(e as Error).message}`);
    }
  };

  const open = async (arg?: unknown) => {
    const file = await pickImage(arg, 'Open Initrd in Explorer');
    if (!file) return;
    try {
      const r = await withProgress<InitrdOpenRequest.Result>(client, `Opening ${path.basename(file)}`, InitrdOpenRequest.method, { file });
      if (!r) return; // cancelled
      const uri = archiveUri(file);
      const folders = vscode.workspace.workspaceFolders ?? [];
      if (!folders.some((f) => f.uri.toString() === uri.toString())) {
        vscode.workspace.updateWorkspaceFolders(folders.length, 0, { uri, name: `initrd: ${path.basename(file)}` });
      }
      void publishProblems(file);
    } catch (e) {
      void vscode.window.showErrorMessage(`Cannot open ${file}: ${(e as Error).message}`);
    }
  };

  const compare = new CompareView(client);
  extension.subscriptions.push(
    registerCommand(ctx, 'nixboot.initrd.open', open),
    registerCommand(ctx, 'nixboot.initrd.inspect', async (arg?: unknown) => {
      const file = await pickImage(arg, 'Inspect Initrd');
      if (file) await openInspector(ctx, file);
    }),
    registerCommand(ctx, 'nixboot.initrd.compare', async (a?: unknown, b?: unknown) => {
      // from the Explorer's multi-select: (clicked, [selected…])
      if (a instanceof vscode.Uri && Array.isArray(b) && b.length === 2) [a, b] = b;
      const fa = await pickImage(a, 'Compare Initrds: first (older) image');
      if (!fa) return;
      const fb = await pickImage(Array.isArray(b) ? undefined : b, 'Compare Initrds: second (newer) image');
      if (!fb) return;
      await compare.show(fa, fb);
    }),
    registerCommand(ctx, 'nixboot.initrd.check', async (arg?: unknown) => {
      const file = await pickImage(arg, 'Check Initrd');
      if (file) await publishProblems(file);
    }),
    registerCommand(ctx, 'nixboot.initrd.openChange', (a: vscode.Uri, b: vscode.Uri, title: string) => vscode.commands.executeCommand('vscode.diff', a, b, title)),
    compare,
  );
}
