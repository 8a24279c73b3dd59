// Provenance commands: Verify flake.lock Input…, Find Commit Matching narHash…, Show Provenance of
// Store Path…, Compare Store Paths…. All work happens in the server; results open as reports
// (client/src/reports: one webview per kind, with next steps and export), long walks show progress
// and can be cancelled. Find Commit asks which repository to search in a pick of the checkouts the
// server proposes (the folder dialog is its last row, or opens at once when nothing fits).
// Each command resolves to the server's result (undefined when cancelled) so callers and tests can use it.
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import {
  LockCheckoutsRequest,
  LockFindRevRequest,
  LockInputsRequest,
  LockVerifyRequest,
  ProvenanceChainRequest,
  StorePathsCompareRequest,
} from '../../../server/src/protocol';
import type { Ctx } from '../context';
import { lockFindRev, lockVerify, provenance, storeCompare } from '../reports/kinds';
import { reports } from '../reports/panel';
import { send, withProgress } from '../requests';
import { registerCommand } from '../trust';
import { checkoutPick, type CheckoutItem } from './checkoutPick';

/**
 * A path from a command argument: Uri (file or initrd:), string, or a tree item with a path.
 * `virtual`: the path of a file not on this machine (initrd:, or any virtual file); the server
 * finds the store path named in it (nixboot/provenance/chain `virtual`).
 */
function argPath(arg: unknown): { path: string; virtual?: boolean } | undefined {
  if (typeof arg === 'string') return { path: arg };
  if (arg instanceof vscode.Uri)
    return arg.scheme === 'file' ? { path: arg.fsPath } : { path: arg.path, virtual: true };
  if (arg && typeof arg === 'object') {
    const o = arg as Record<string, unknown>;
    for (const k of ['storePath', 'path', 'toplevel', 'fsPath'])
      if (typeof o[k] === 'string') return { path: o[k] as string };
    if (o.resourceUri instanceof vscode.Uri) return argPath(o.resourceUri);
  }
  return undefined;
}

async function pickLockFile(arg: unknown): Promise<string | undefined> {
  const given = argPath(arg);
  if (given && !given.virtual) return given.path;
  const active = vscode.window.activeTextEditor?.document.uri;
  if (active?.scheme === 'file' && path.basename(active.fsPath) === 'flake.lock') return active.fsPath;
  const found = await vscode.workspace.findFiles('**/flake.lock', '**/node_modules/**', 20);
  if (found.length === 1) return found[0]!.fsPath;
  if (found.length > 1) {
    const p = await vscode.window.showQuickPick(
      found.map((u) => ({ label: vscode.workspace.asRelativePath(u), uri: u })),
      { placeHolder: 'Which flake.lock?' },
    );
    return p?.uri.fsPath;
  }
  const open = await vscode.window.showOpenDialog({
    canSelectMany: false,
    filters: { 'flake.lock': ['lock'] },
    title: 'Select a flake.lock',
  });
  return open?.[0]?.fsPath;
}

async function pickInput(
  ctx: Ctx,
  lockFile: string,
  arg: unknown,
  gitOnly = false,
): Promise<string | undefined> {
  if (typeof arg === 'string' && arg) return arg;
  const r = await send(ctx.client, LockInputsRequest, { lockFile });
  const items = r.inputs
    .filter((i) => i.narHash && (!gitOnly || i.gitLike))
    .map((i) => ({ label: i.name, description: i.source, detail: i.narHash, key: i.key }));
  const p = await vscode.window.showQuickPick(items, {
    placeHolder: 'Which input?',
    matchOnDescription: true,
  });
  return p?.key;
}

/**
 * A folder the user chooses for `what`. The dialog does not start in the workspace: Enter there
 * would offer the configuration's own folder as, say, a checkout of nixpkgs. Choosing the folder
 * that holds the lock file is questioned, since it is the flake, not one of its inputs.
 */
async function pickFolder(title: string, notThis?: string): Promise<string | undefined> {
  const r = await vscode.window.showOpenDialog({
    canSelectFiles: false,
    canSelectFolders: true,
    canSelectMany: false,
    title,
    openLabel: 'Use This Folder',
    defaultUri: vscode.Uri.file(os.homedir()),
  });
  const dir = r?.[0]?.fsPath;
  if (dir && notThis && path.resolve(dir) === path.resolve(notThis)) {
    const ok = await vscode.window.showWarningMessage(
      `${dir} holds the flake.lock itself, not a checkout of the input. Use it anyway?`,
      { modal: true },
      'Use It',
    );
    if (ok !== 'Use It') return undefined;
  }
  return dir;
}

/**
 * The repository to search for `input`'s commit: a pick of the candidates the server proposes
 * (nixboot/lock/checkouts), each with its path and why it matched, and "Browse…" last (the folder
 * dialog). The user always confirms; the one strong candidate starts active. With no candidate the
 * folder dialog opens at once.
 */
async function pickRepository(ctx: Ctx, lockFile: string, input: string): Promise<string | undefined> {
  const r = await send(ctx.client, LockCheckoutsRequest, { lockFile, input });
  const browse = (title: string) => pickFolder(title, path.dirname(lockFile));
  if (r.candidates.length === 0)
    return browse(`No checkout of '${input}' found in or beside the workspace: choose its git repository`);
  const { items, active, placeholder } = checkoutPick(input, r.candidates);
  const qp = vscode.window.createQuickPick<CheckoutItem & { kind?: vscode.QuickPickItemKind }>();
  qp.title = `Repository to search for '${input}'`;
  qp.placeholder = placeholder;
  // A separator before "Browse…" (the last item).
  qp.items = [
    ...items.slice(0, -1),
    { label: '', kind: vscode.QuickPickItemKind.Separator },
    items[items.length - 1]!,
  ];
  qp.activeItems = [items[active]!];
  qp.matchOnDescription = true;
  qp.matchOnDetail = true;
  qp.ignoreFocusOut = true;
  const chosen = await new Promise<CheckoutItem | undefined>((resolve) => {
    qp.onDidAccept(() => {
      resolve(qp.selectedItems[0] ?? qp.activeItems[0]);
      qp.hide();
    });
    qp.onDidHide(() => resolve(undefined));
    qp.show();
    qp.activeItems = [items[active]!];
  });
  qp.dispose();
  if (!chosen) return undefined;
  return chosen.repo ?? browse(`Git repository of '${input}' to search`);
}

async function pickPath(
  arg: unknown,
  prompt: string,
): Promise<{ path: string; virtual?: boolean } | undefined> {
  const given = argPath(arg);
  if (given) return given;
  const typed = await vscode.window.showInputBox({
    prompt,
    placeHolder: '/nix/store/…',
    ignoreFocusOut: true,
    validateInput: (v) => (v.startsWith('/') ? undefined : 'an absolute path'),
  });
  return typed ? { path: typed } : undefined;
}

export function registerProvenance(ctx: Ctx): void {
  const fail = (e: unknown) =>
    void vscode.window.showErrorMessage(`nixboot: ${(e as Error).message.replace(/^needsCheckout: /, '')}`);
  ctx.extension.subscriptions.push(
    // The third argument (from a find-rev report) names the repository and commit to verify against.
    registerCommand(
      ctx,
      'nixboot.lock.verify',
      async (lockArg?: unknown, inputArg?: unknown, against?: { gitRepo?: unknown; rev?: unknown }) => {
        try {
          const lockFile = await pickLockFile(lockArg);
          if (!lockFile) return;
          const input = await pickInput(ctx, lockFile, inputArg);
          if (!input) return;
          let r: LockVerifyRequest.Result | undefined;
          const given =
            against && typeof against.gitRepo === 'string'
              ? { gitRepo: against.gitRepo, ...(typeof against.rev === 'string' ? { rev: against.rev } : {}) }
              : {};
          try {
            r = await withProgress(ctx.client, `Verifying ${input}`, LockVerifyRequest, {
              lockFile,
              input,
              ...given,
            });
          } catch (e) {
            if (!/needsCheckout/.test((e as Error).message)) throw e;
            const dir = await pickFolder(
              `'${input}' is not in the Nix store: choose a checkout or git repository of '${input}'`,
              path.dirname(lockFile),
            );
            if (!dir)
              return void vscode.window.showInformationMessage(
                `Verification of '${input}' stopped: no checkout chosen.`,
              );
            const isRepo = (await vscode.workspace.fs.stat(vscode.Uri.file(path.join(dir, '.git'))).then(
              () => true,
              () => false,
            )) as boolean;
            r = await withProgress(
              ctx.client,
              `Verifying ${input}`,
              LockVerifyRequest,
              isRepo ? { lockFile, input, gitRepo: dir } : { lockFile, input, dir },
            );
          }
          if (!r) return;
          reports(ctx).show(lockVerify, { lockFile, result: r });
          if (r.match)
            void vscode.window.showInformationMessage(`narHash of ${input} verified against ${r.hashed}`);
          else void vscode.window.showWarningMessage(`narHash of ${input} does not match ${r.hashed}`);
          return r;
        } catch (e) {
          fail(e);
        }
      },
    ),

    registerCommand(ctx, 'nixboot.lock.findRev', async (lockArg?: unknown, inputArg?: unknown) => {
      try {
        const lockFile = await pickLockFile(lockArg);
        if (!lockFile) return;
        const input = await pickInput(ctx, lockFile, inputArg, true);
        if (!input) return;
        const repo = await pickRepository(ctx, lockFile, input);
        if (!repo)
          return void vscode.window.showInformationMessage(
            `Search for '${input}' stopped: no repository chosen.`,
          );
        const limit = vscode.workspace
          .getConfiguration('nixboot')
          .get<number>('provenance.searchLimit', 5000);
        const r = await withProgress(
          ctx.client,
          `Searching ${path.basename(repo)} for ${input}`,
          LockFindRevRequest,
          { lockFile, input, repo, limit },
        );
        if (r) reports(ctx).show(lockFindRev, { lockFile, input, repo, result: r });
        return r;
      } catch (e) {
        fail(e);
      }
    }),

    registerCommand(ctx, 'nixboot.provenance.show', async (arg?: unknown) => {
      try {
        const p = await pickPath(
          arg,
          'File or store path to trace (e.g. /nix/store/…-sed-key-0.1.0/bin/sed-key)',
        );
        if (!p) return;
        const locks = await vscode.workspace.findFiles('flake.lock', undefined, 1);
        const r = await withProgress(ctx.client, `Tracing ${path.basename(p.path)}`, ProvenanceChainRequest, {
          path: p.path,
          virtual: p.virtual,
          lockFile: locks[0]?.fsPath,
        });
        if (r) reports(ctx).show(provenance, r);
        return r;
      } catch (e) {
        fail(e);
      }
    }),

    registerCommand(ctx, 'nixboot.storePaths.compare', async (aArg?: unknown, bArg?: unknown) => {
      try {
        const a = await pickPath(aArg, 'First store path, directory or NAR file');
        if (!a) return;
        const b = await pickPath(bArg, 'Second store path, directory or NAR file (e.g. the .check rebuild)');
        if (!b) return;
        const virtual = [...(a.virtual ? ['a' as const] : []), ...(b.virtual ? ['b' as const] : [])];
        const r = await withProgress(ctx.client, 'Comparing store paths', StorePathsCompareRequest, {
          a: a.path,
          b: b.path,
          virtual,
        });
        if (r) reports(ctx).show(storeCompare, { a: a.path, b: b.path, result: r });
        return r;
      } catch (e) {
        fail(e);
      }
    }),
  );
}
