// The "Debug NixOS boots with nixboot" walkthrough (package.json `contributes.walkthroughs`): the
// commands behind its buttons that VS Code's own commands do not cover. VS Code checks a step when
// its completion event happens; events VS Code really records (read in the workbench code of
// VS Code 1.139, gettingStartedService): a command run through the workbench (`onCommand:`), a
// view shown (`onView:`), a setting changed, or a context key expression becoming true in the
// window's global context (`onContext:`). Keys of an editor's own scoped context, such as
// `editorLangId`, never reach it: a step waiting for `onContext:editorLangId == nix` is never
// checked. So the first step has a button of its own, and the fix step is checked by a command
// that nixboot's quick fixes run once their edit is applied.
import * as vscode from 'vscode';
import type { Middleware } from 'vscode-languageclient/node';
import type { Ctx } from './context';
import { registerCommand } from './trust';

const OPEN_CONFIGURATION = 'nixboot.walkthrough.openConfiguration';
const SHOW_FIX = 'nixboot.walkthrough.showFix';
const FIX_APPLIED = 'nixboot.walkthrough.fixApplied';

const SKIP = '**/{node_modules,.git,.direnv,result,result-*}/**';

/** configuration.nix files of the workspace, else its flake.nix files (nearest the root first). */
async function configurations(): Promise<vscode.Uri[]> {
  const byDepth = (us: vscode.Uri[]) =>
    us.sort((a, b) => a.path.split('/').length - b.path.split('/').length || a.path.localeCompare(b.path));
  const configs = await vscode.workspace.findFiles('**/configuration.nix', SKIP, 200);
  if (configs.length > 0) return byDepth(configs);
  return byDepth(await vscode.workspace.findFiles('**/flake.nix', SKIP, 200));
}

/**
 * "Open configuration.nix": opens the workspace's configuration.nix; asks which when there are
 * several; without one, its flake.nix; without either, offers to pick a `.nix` file.
 */
async function openConfiguration(): Promise<void> {
  const found = await configurations();
  let uri: vscode.Uri | undefined;
  if (found.length === 1) uri = found[0];
  else if (found.length > 1) {
    // ignoreFocusOut: started from the walkthrough, the Welcome page takes the focus back.
    const pick = await vscode.window.showQuickPick(
      found.map((u) => ({ label: vscode.workspace.asRelativePath(u, true), uri: u })),
      { placeHolder: `Which configuration? (${found.length} in this workspace)`, ignoreFocusOut: true },
    );
    uri = pick?.uri;
  } else {
    const choice = await vscode.window.showInformationMessage(
      'No configuration.nix or flake.nix in this workspace. Open the file of your NixOS configuration, or a folder that holds it.',
      'Pick a File…',
      'Open Folder…',
    );
    if (choice === 'Open Folder…') await vscode.commands.executeCommand('workbench.action.files.openFolder');
    if (choice === 'Pick a File…') {
      const picked = await vscode.window.showOpenDialog({
        canSelectMany: false,
        filters: { Nix: ['nix'] },
        openLabel: 'Open Configuration',
        title: 'Your NixOS configuration',
      });
      uri = picked?.[0];
    }
  }
  if (!uri) return;
  await vscode.window.showTextDocument(uri, { preview: false });
}

/** The quick fixes nixboot offers for `d` other than "Ignore … on this line". */
async function fixesFor(uri: vscode.Uri, d: vscode.Diagnostic): Promise<vscode.CodeAction[]> {
  const actions =
    (await vscode.commands.executeCommand<Array<vscode.CodeAction | vscode.Command>>(
      'vscode.executeCodeActionProvider',
      uri,
      d.range,
      vscode.CodeActionKind.QuickFix.value,
    )) ?? [];
  return actions
    .filter((a): a is vscode.CodeAction => a instanceof vscode.CodeAction || 'edit' in a)
    .filter(
      (a) => a.title !== `Ignore ${String(typeof d.code === 'object' ? d.code.value : d.code)} on this line`,
    );
}

/**
 * "Show Quick Fixes": puts the cursor on the most severe nixboot finding that has a fix (in the
 * visible `.nix` editors first, then any file with findings) and opens the light bulb's menu
 * there. From the Welcome page no editor has the focus, so VS Code's own Quick Fix command would
 * show nothing.
 */
async function showFix(): Promise<void> {
  const visible = new Set(vscode.window.visibleTextEditors.map((e) => e.document.uri.toString()));
  const findings = vscode.languages
    .getDiagnostics()
    .flatMap(([uri, ds]) =>
      ds.filter((d) => d.source === 'nixboot').map((d) => ({ uri, d, shown: visible.has(uri.toString()) })),
    )
    .sort(
      (a, b) =>
        Number(b.shown) - Number(a.shown) ||
        a.d.severity - b.d.severity ||
        a.uri.toString().localeCompare(b.uri.toString()) ||
        a.d.range.start.compareTo(b.d.range.start),
    );
  for (const { uri, d } of findings) {
    if ((await fixesFor(uri, d)).length === 0) continue;
    const editor = await vscode.window.showTextDocument(uri, {
      preview: false,
      selection: new vscode.Range(d.range.start, d.range.start),
    });
    editor.revealRange(d.range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
    await vscode.commands.executeCommand('editor.action.quickFix');
    return;
  }
  void vscode.window.showInformationMessage(
    'No nixboot finding with a fix in the files checked so far: open your configuration (first step) and look at Problems.',
  );
}

/**
 * Language client middleware: nixboot's quick fixes run FIX_APPLIED after their edit, so the
 * walkthrough's "Fix it" step is checked when a fix is applied, not when the menu is shown.
 */
export const walkthroughMiddleware: Middleware = {
  async provideCodeActions(document, range, context, token, next) {
    const actions = await next(document, range, context, token);
    for (const a of actions ?? []) {
      if (
        a instanceof vscode.CodeAction &&
        a.edit &&
        !a.command &&
        a.kind &&
        vscode.CodeActionKind.QuickFix.contains(a.kind)
      ) {
        a.command = { command: FIX_APPLIED, title: 'nixboot: fix applied' };
      }
    }
    return actions;
  },
};

/**
 * The walkthrough's last two steps are checked when what they ask for is done (the diff report
 * shown, a rehearsal's verdict in), not when their command starts: a cancelled or failed run
 * leaves them unchecked. package.json's completion events wait for these context keys.
 */
export function walkthroughStepDone(step: 'diffShown' | 'rehearsed'): void {
  void vscode.commands.executeCommand('setContext', `nixboot.walkthrough.${step}`, true);
}

export function registerWalkthrough(ctx: Ctx): void {
  ctx.extension.subscriptions.push(
    registerCommand(ctx, OPEN_CONFIGURATION, openConfiguration),
    registerCommand(ctx, SHOW_FIX, showFix),
    // Nothing to do: VS Code's walkthrough records that it ran.
    registerCommand(ctx, FIX_APPLIED, () => undefined),
  );
}
