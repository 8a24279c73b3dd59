// Initrd features in the editor: the `initrd:` file system, the Initrds view (mounts in this
// window), the initrd viewer for image files, "Open Initrd", "Inspect Initrd", "Compare Initrds"
// and "Check Initrd Health" (Problems on `initrd:` files that survive reloads, and a summary).
// Every command acts on what the user is looking at and asks only when nothing fits (images.ts).
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Ctx } from '../context';
import { registerCommand } from '../trust';
import { InitrdCheckRequest, InitrdOpenRequest, type InitrdIdentity } from '../../../server/src/protocol';
import { withProgress } from '../requests';
import { InitrdFileSystem } from './fsProvider';
import { openInspector } from './inspector';
import { CompareView } from './compare';
import { Images, VIEWER } from './images';
import { Mounts, type MountNode } from './mounts';
import { registerViewer } from './viewer';
import { archiveUri, imageName, inImage, onDidRenameImage, SCHEME, setImageName } from './uri';

/** Workspace state: the last health check of each image, restored into Problems on reload. */
const PROBLEMS_KEY = 'nixboot.initrd.problems';
type Stored = { file: string; title: string; problems: InitrdCheckRequest.Result['problems'] };

let images: Images | undefined;

export function registerInitrd(ctx: Ctx): void {
  const { client, extension } = ctx;
  images = new Images(ctx);
  const imgs = images;
  const diagnostics = vscode.languages.createDiagnosticCollection('nixboot-initrd');
  const mounts = new Mounts(extension.workspaceState);
  const offered = new Set<string>();
  extension.subscriptions.push(
    diagnostics,
    imgs,
    mounts,
    vscode.workspace.registerFileSystemProvider(SCHEME, new InitrdFileSystem(client), {
      isReadonly: true,
      isCaseSensitive: true,
    }),
    registerViewer(imgs),
    // A detected initrd opened as text (before the extension was up, or "open the raw bytes"):
    // offer the viewer once per file and window.
    vscode.window.onDidChangeActiveTextEditor((e) => {
      const uri = e?.document.uri;
      if (!uri || uri.scheme !== 'file' || !imgs.isDetected(uri.fsPath) || offered.has(uri.fsPath)) return;
      offered.add(uri.fsPath);
      void vscode.window
        .showInformationMessage(
          `${vscode.workspace.asRelativePath(uri)} is an initrd: its bytes are compressed, not text.`,
          'Reopen as Initrd',
        )
        .then((pick) => pick && vscode.commands.executeCommand('vscode.openWith', uri, VIEWER));
    }),
    mounts.view.onDidChangeSelection((e) => {
      const n = e.selection[0];
      if (n) imgs.selected = n.file;
    }),
  );

  // The image's name is in its `initrd:` URIs (tab titles, Problems groups: uri.ts): problems are
  // published under the latest name and moved when the engine renames the image (the kernel
  // version is known once it is open), so they stay on the URIs the Initrds view opens.
  const publish = (s: Stored) => {
    setImageName(s.file, s.title);
    const byPath = new Map<string, vscode.Diagnostic[]>();
    for (const p of s.problems) {
      const line = p.line ?? 0;
      const d = new vscode.Diagnostic(
        new vscode.Range(line, 0, line, 1000),
        p.message,
        p.severity === 'error' ? vscode.DiagnosticSeverity.Error : vscode.DiagnosticSeverity.Warning,
      );
      // The source names the image: two images' "init" problems are told apart in Problems.
      d.source = s.title;
      d.code = p.code;
      const list = byPath.get(p.path) ?? [];
      list.push(d);
      byPath.set(p.path, list);
    }
    // Replace the image's previous results.
    const gone: vscode.Uri[] = [];
    diagnostics.forEach((uri) => {
      if (inImage(uri, s.file)) gone.push(uri);
    });
    for (const uri of gone) diagnostics.delete(uri);
    for (const [p, list] of byPath) diagnostics.set(archiveUri(s.file, p), list);
  };
  const stored = () => extension.workspaceState.get<Stored[]>(PROBLEMS_KEY, []);
  for (const s of stored()) publish(s);
  extension.subscriptions.push(
    onDidRenameImage((file) => {
      const all = stored();
      const s = all.find((x) => x.file === file);
      const title = imageName(file);
      if (!s || !title || s.title === title) return;
      const moved = { ...s, title };
      publish(moved);
      void extension.workspaceState.update(
        PROBLEMS_KEY,
        all.map((x) => (x.file === file ? moved : x)),
      );
    }),
  );

  const check = async (file: string, img?: InitrdIdentity): Promise<void> => {
    const id = img ?? (await imgs.title(file));
    let r: InitrdCheckRequest.Result | undefined;
    try {
      r = await withProgress(client, `Checking ${id.title}`, InitrdCheckRequest, { file });
    } catch (e) {
      void vscode.window.showErrorMessage(`Health check of ${id.title} failed: ${(e as Error).message}`);
      return;
    }
    if (!r) return; // withProgress said it was cancelled
    const s: Stored = { file, title: id.title, problems: r.problems };
    publish(s);
    await extension.workspaceState.update(PROBLEMS_KEY, [...stored().filter((x) => x.file !== file), s]);
    const errors = r.problems.filter((p) => p.severity === 'error').length;
    const warnings = r.problems.length - errors;
    if (r.problems.length === 0) {
      const pick = await vscode.window.showInformationMessage(
        `${id.title}: no problems found (init, interpreters, libraries, unit binaries, symlinks, kernel modules checked).`,
        'Browse Files',
      );
      if (pick) await vscode.commands.executeCommand('nixboot.initrd.open', vscode.Uri.file(file));
      return;
    }
    const summary = `${id.title}: ${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'} (listed in Problems).`;
    const show = errors ? vscode.window.showErrorMessage : vscode.window.showWarningMessage;
    const pick = await show(summary, 'Show Problems', 'Browse Files');
    if (pick === 'Show Problems') await vscode.commands.executeCommand('workbench.actions.view.problems');
    if (pick === 'Browse Files')
      await vscode.commands.executeCommand('nixboot.initrd.open', vscode.Uri.file(file));
  };

  const open = async (arg?: unknown) => {
    const file = await imgs.pick(arg, 'Open Initrd');
    if (!file) return;
    const id = await imgs.title(file);
    try {
      const r = await withProgress(client, `Opening ${id.title}`, InitrdOpenRequest, { file });
      if (!r) return;
      // Named again: the kernel version inside is known once the image is open.
      await mounts.mount(await imgs.title(file));
      if (!stored().some((s) => s.file === file)) void check(file);
    } catch (e) {
      void vscode.window.showErrorMessage(`Cannot open ${id.title}: ${(e as Error).message}`);
    }
  };

  const compare = new CompareView(client);
  extension.subscriptions.push(
    registerCommand(ctx, 'nixboot.initrd.open', open),
    registerCommand(ctx, 'nixboot.initrd.inspect', async (arg?: unknown) => {
      const file = await imgs.pick(arg, 'Inspect Initrd');
      if (file) await openInspector(ctx, file);
    }),
    registerCommand(ctx, 'nixboot.initrd.compare', async (a?: unknown, b?: unknown) => {
      // from the Explorer's multi-select: (clicked, [selected…])
      if (a instanceof vscode.Uri && Array.isArray(b) && b.length === 2) [a, b] = b;
      const fa = await imgs.pick(a, 'Compare Initrds: first image');
      if (!fa) return;
      const fb = await imgs.pick(
        Array.isArray(b) ? undefined : b,
        `Compare ${(await imgs.title(fa)).name} with…`,
        { skipActive: true, except: fa },
      );
      if (!fb) return;
      // Older → newer, whichever was picked first ("gen 2 → gen 3").
      const pair = await imgs
        .identify([fa, fb], true)
        .catch(() => [fa, fb].map((file) => ({ file, name: path.basename(file) })));
      await compare.show(pair[0]!, pair[1]!);
    }),
    registerCommand(ctx, 'nixboot.initrd.check', async (arg?: unknown) => {
      const file = await imgs.pick(arg, 'Check Initrd Health');
      if (file) await check(file);
    }),
    registerCommand(ctx, 'nixboot.initrd.addToWorkspace', async (node?: MountNode) => {
      const m = node ?? mounts.list().find((x) => x.file === imgs.active());
      if (!m)
        return void vscode.window.showInformationMessage(
          'Select an initrd in the Initrds view to add it to the workspace.',
        );
      const uri = archiveUri(m.file);
      const folders = vscode.workspace.workspaceFolders ?? [];
      if (!folders.some((f) => f.uri.toString() === uri.toString()))
        vscode.workspace.updateWorkspaceFolders(folders.length, 0, {
          uri,
          name: 'title' in m ? m.title : undefined,
        });
    }),
    registerCommand(ctx, 'nixboot.initrd.close', async (node?: MountNode) => {
      if (node) await mounts.unmount(node.file);
    }),
    registerCommand(ctx, 'nixboot.initrd.openChange', (a: vscode.Uri, b: vscode.Uri, title: string) =>
      vscode.commands.executeCommand('vscode.diff', a, b, title),
    ),
    compare,
  );
  imgs.start();
}
