// The "NixOS Boot" view container's Generations tree: one row per generation with badges, details
// below it, warnings on top (and as a notification when they change), and actions. Every fact
// comes from the language server (nixboot/generations/*); "Set as Boot Default" and "Roll Back"
// run the real commands in a visible terminal, only after a modal confirmation.
import * as vscode from 'vscode';
import {
  GenerationsDiffRequest,
  GenerationsFindRequest,
  GenerationsListRequest,
  GenerationsSwitchCommandsRequest,
  type GenerationInfo,
} from '../../../server/src/protocol';
import type { Ctx } from '../context';
import { walkthroughStepDone } from '../walkthrough';
import { closureDiff, closureDiffTitle, findGenerations } from '../reports/kinds';
import { reports } from '../reports/panel';
import { send } from '../requests';
import { onTrustGranted, registerCommand } from '../trust';

type Node =
  | { kind: 'warning'; message: string }
  | { kind: 'budget'; text: string; tooltip: string }
  | { kind: 'generation'; g: GenerationInfo }
  | {
      kind: 'detail';
      label: string;
      description?: string;
      tooltip?: string;
      command?: vscode.Command;
      children?: Node[];
      icon?: string;
      context?: string;
    }
  | { kind: 'closure'; g: GenerationInfo };

function size(n: number | undefined): string {
  if (n === undefined) return '?';
  const u = ['B', 'KiB', 'MiB', 'GiB'];
  let i = 0;
  let v = n;
  while (v >= 1024 && i < u.length - 1) {
    v /= 1024;
    i++;
  }
  return `${i ? v.toFixed(1) : v} ${u[i]}`;
}

class GenerationsTree implements vscode.TreeDataProvider<Node> {
  private readonly emitter = new vscode.EventEmitter<Node | undefined>();
  readonly onDidChangeTreeData = this.emitter.event;
  data: GenerationsListRequest.Result | undefined;
  error: string | undefined;
  private lastWarnings = '';
  private closures = new Map<string, string>();

  constructor(private readonly ctx: Ctx) {}

  root(): string | undefined {
    const r = vscode.workspace.getConfiguration('nixboot').get<string>('systemRoot');
    return r && r.trim() ? r.trim() : undefined;
  }

  async refresh(): Promise<void> {
    if (!vscode.workspace.isTrusted) {
      // Restricted Mode: the view's welcome text says why it is empty (package.json viewsWelcome).
      this.data = undefined;
      this.error = undefined;
      this.emitter.fire(undefined);
      return;
    }
    try {
      this.data = await send(this.ctx.client, GenerationsListRequest, { root: this.root() });
      this.error = undefined;
      const w = this.data.warnings.map((x) => x.message).join('\n');
      // Once per change of the warnings in this window's lifetime, stored so a reload does not repeat it, and with an action.
      const seen = this.ctx.extension.workspaceState.get<string>('nixboot.generations.warned');
      if (w && w !== this.lastWarnings && w !== seen) {
        void this.ctx.extension.workspaceState.update('nixboot.generations.warned', w);
        void vscode.window
          .showWarningMessage(
            `NixOS generations: ${this.data.warnings.map((x) => x.message).join(' ')}`,
            'Show Generations',
          )
          .then((pick) => pick && vscode.commands.executeCommand('workbench.view.extension.nixboot'));
      }
      this.lastWarnings = w;
    } catch (e) {
      this.data = undefined;
      this.error = e instanceof Error ? e.message : String(e);
    }
    this.emitter.fire(undefined);
  }

  getTreeItem(n: Node): vscode.TreeItem {
    switch (n.kind) {
      case 'warning': {
        const t = new vscode.TreeItem(n.message);
        t.iconPath = new vscode.ThemeIcon('warning', new vscode.ThemeColor('problemsWarningIcon.foreground'));
        t.tooltip = n.message;
        return t;
      }
      case 'budget': {
        const t = new vscode.TreeItem(n.text);
        t.iconPath = new vscode.ThemeIcon('database');
        t.tooltip = n.tooltip;
        return t;
      }
      case 'generation': {
        const g = n.g;
        const badges = [
          g.current && 'current',
          g.booted && 'booted',
          g.default && 'default',
          g.bootEntry === false && 'no boot entry',
          !g.exists && 'missing',
        ].filter(Boolean);
        const t = new vscode.TreeItem(
          `${g.generation}  ${g.date.slice(0, 16).replace('T', ' ')}`,
          vscode.TreeItemCollapsibleState.Collapsed,
        );
        t.id = `gen-${g.generation}-${g.storePath}`;
        t.description = [
          g.nixosVersion ?? '?',
          `Linux ${g.kernelVersion ?? '?'}`,
          `initrd ${size(g.initrd?.size)}`,
          ...badges.map((b) => `[${b}]`),
        ].join(' · ');
        t.tooltip = new vscode.MarkdownString(
          [
            `**Generation ${g.generation}**`,
            '',
            `- ${g.label ?? g.nixosVersion ?? ''}`,
            `- \`${g.storePath}\``,
            `- created ${g.date}`,
            ...(g.configurationRevision ? [`- revision \`${g.configurationRevision}\``] : []),
            ...badges.map((b) => `- ${b}`),
          ].join('\n'),
        );
        t.iconPath = new vscode.ThemeIcon(
          g.current ? 'pass-filled' : g.bootEntry === false ? 'circle-slash' : 'circle-outline',
        );
        t.contextValue = `generation${g.default ? '.default' : ''}`;
        return t;
      }
      case 'closure': {
        const cached = this.closures.get(n.g.storePath);
        const t = new vscode.TreeItem('Closure', vscode.TreeItemCollapsibleState.None);
        t.description = cached ?? 'click to compute';
        t.iconPath = new vscode.ThemeIcon('package');
        if (!cached)
          t.command = {
            title: 'Compute closure size',
            command: 'nixboot.generations.closureSize',
            arguments: [n.g],
          };
        return t;
      }
      case 'detail': {
        const t = new vscode.TreeItem(
          n.label,
          n.children?.length
            ? vscode.TreeItemCollapsibleState.Collapsed
            : vscode.TreeItemCollapsibleState.None,
        );
        t.description = n.description;
        t.tooltip = n.tooltip;
        t.command = n.command;
        if (n.icon) t.iconPath = new vscode.ThemeIcon(n.icon);
        t.contextValue = n.context;
        return t;
      }
    }
  }

  getChildren(n?: Node): Node[] {
    if (!n) {
      if (this.error) return [{ kind: 'warning', message: this.error }];
      if (!this.data) return [];
      const b = this.data.budget;
      const budget: Node = {
        kind: 'budget',
        text: b.summary,
        tooltip: `${b.loader}${b.copies ? ' copies kernels and initrds into' : ' reads kernels from the store, not'} ${b.bootDir}; next generation ≈ ${size(b.nextGenerationBytes)}`,
      };
      return [
        ...this.data.warnings.map((w): Node => ({ kind: 'warning', message: w.message })),
        budget,
        ...[...this.data.generations].reverse().map((g): Node => ({ kind: 'generation', g })),
      ];
    }
    if (n.kind === 'detail') return n.children ?? [];
    if (n.kind !== 'generation') return [];
    const g = n.g;
    const out: Node[] = [];
    if (g.kernel)
      out.push({
        kind: 'detail',
        label: 'Kernel',
        description: `${g.kernelVersion ?? ''} ${size(g.kernel.size)}`,
        tooltip: g.kernel.path,
        icon: 'chip',
        context: 'storeFile',
      });
    if (g.initrd)
      out.push({
        kind: 'detail',
        label: 'Initrd',
        description: size(g.initrd.size),
        tooltip: `${g.initrd.path}\nClick to browse its files in the Initrds view`,
        icon: 'file-zip',
        // Opens it in the Initrds view of this window (never silently in the workspace file).
        command: {
          title: 'Open initrd',
          command: 'nixboot.initrd.open',
          arguments: [vscode.Uri.file(g.initrd.hostPath)],
        },
      });
    out.push({
      kind: 'detail',
      label: 'Kernel parameters',
      description: `${g.kernelParams.length}`,
      icon: 'symbol-parameter',
      children: g.kernelParams.map((p): Node => ({ kind: 'detail', label: p })),
    });
    out.push({
      kind: 'detail',
      label: 'Specialisations',
      description: g.specialisations.length ? g.specialisations.join(', ') : 'none',
      icon: 'symbol-enum',
      children: g.specialisations.map((s): Node => ({ kind: 'detail', label: s })),
    });
    out.push({ kind: 'closure', g });
    return out;
  }

  async closureSize(g: GenerationInfo): Promise<void> {
    const r = await send(this.ctx.client, GenerationsDiffRequest, {
      root: this.root(),
      a: String(g.generation),
      b: String(g.generation),
    });
    this.closures.set(g.storePath, `${size(r.sizeAfter)}, ${r.pathsAfter} paths`);
    this.emitter.fire(undefined);
  }
}

function genOf(arg: unknown, tree: GenerationsTree): GenerationInfo | undefined {
  if (arg && typeof arg === 'object' && 'kind' in arg && (arg as Node).kind === 'generation')
    return (arg as unknown as { g: GenerationInfo }).g;
  if (arg && typeof arg === 'object' && 'generation' in arg) return arg as GenerationInfo;
  if (typeof arg === 'number') return tree.data?.generations.find((g) => g.generation === arg);
  return undefined;
}

async function pickGeneration(
  tree: GenerationsTree,
  placeHolder: string,
  except?: number,
): Promise<GenerationInfo | undefined> {
  if (!tree.data) await tree.refresh();
  const items = [...(tree.data?.generations ?? [])]
    .reverse()
    .filter((g) => g.generation !== except)
    .map((g) => ({
      label: String(g.generation),
      description: `${g.nixosVersion ?? ''} · Linux ${g.kernelVersion ?? '?'}${g.current ? ' · current' : ''}`,
      g,
    }));
  // ignoreFocusOut: run from the walkthrough, the Welcome page takes focus back while it settles,
  // which closed the picker before the user chose (see Images.pick).
  return (await vscode.window.showQuickPick(items, { placeHolder, ignoreFocusOut: true }))?.g;
}

export function registerGenerations(ctx: Ctx): void {
  const tree = new GenerationsTree(ctx);
  ctx.trees.set('nixboot.generations', tree as vscode.TreeDataProvider<unknown>);
  const view = vscode.window.createTreeView('nixboot.generations', {
    treeDataProvider: tree,
    showCollapseAll: true,
  });
  const showDiff = async (x: GenerationInfo, y: GenerationInfo) => {
    // Always older → newer ("gen 2 → gen 3"), whichever order the command got them in.
    const [a, b] = x.generation <= y.generation ? [x, y] : [y, x];
    const title = closureDiffTitle({ from: a.generation, to: b.generation });
    const r = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title, cancellable: true },
      async (_p, token) => {
        try {
          return await send(
            ctx.client,
            GenerationsDiffRequest,
            { root: tree.root(), a: String(a.generation), b: String(b.generation) },
            token,
          );
        } catch (e) {
          if (!token.isCancellationRequested) throw e;
          void vscode.window.showInformationMessage(`Cancelled: ${title}.`);
          return undefined;
        }
      },
    );
    if (!r) return;
    reports(ctx).show(closureDiff, r);
    walkthroughStepDone('diffShown');
  };
  const guard =
    <A extends unknown[]>(f: (...a: A) => Promise<unknown>) =>
    async (...a: A) => {
      try {
        await f(...a);
      } catch (e) {
        void vscode.window.showErrorMessage(`nixboot: ${e instanceof Error ? e.message : String(e)}`);
      }
    };
  const confirmAndRun = async (what: string, detail: string, lines: string[]) => {
    const ok = await vscode.window.showWarningMessage(
      what,
      { modal: true, detail: `${detail}\n\nThis runs, in a terminal, with sudo:\n\n${lines.join('\n')}` },
      'Run in Terminal',
    );
    if (ok !== 'Run in Terminal') return;
    const term = vscode.window.createTerminal({ name: `NixOS Boot: ${what}` });
    term.show();
    term.sendText(lines.join(' && '));
  };
  // The commands come from the engine (nixboot/generations/switchCommands, server/src/system/profileCommands.ts).
  const switchCommands = (action: GenerationsSwitchCommandsRequest.Params['action'], g?: GenerationInfo) =>
    send(ctx.client, GenerationsSwitchCommandsRequest, {
      root: tree.root(),
      action,
      ...(g ? { generation: String(g.generation) } : {}),
    });

  ctx.extension.subscriptions.push(
    view,
    vscode.workspace.onDidChangeConfiguration(
      (e) => e.affectsConfiguration('nixboot.systemRoot') && void tree.refresh(),
    ),
    registerCommand(ctx, 'nixboot.generations.refresh', () => tree.refresh()),
    registerCommand(ctx, 'nixboot.generations.show', () =>
      vscode.commands.executeCommand('workbench.view.extension.nixboot'),
    ),
    registerCommand(
      ctx,
      'nixboot.generations.closureSize',
      guard((g: GenerationInfo) => tree.closureSize(g)),
    ),
    registerCommand(
      ctx,
      'nixboot.generations.diffPrevious',
      guard(async (arg?: unknown) => {
        const g =
          genOf(arg, tree) ?? (await pickGeneration(tree, 'Generation to compare with the one before it'));
        if (!g) return;
        const prev = [...(tree.data?.generations ?? [])].reverse().find((x) => x.generation < g.generation);
        if (!prev)
          return void vscode.window.showInformationMessage(
            `Generation ${g.generation} has no earlier generation.`,
          );
        await showDiff(prev, g);
      }),
    ),
    registerCommand(
      ctx,
      'nixboot.generations.diffCurrent',
      guard(async (arg?: unknown) => {
        const g =
          genOf(arg, tree) ?? (await pickGeneration(tree, 'Generation to compare with the current one'));
        const cur =
          tree.data?.generations.find((x) => x.current) ?? tree.data?.generations.find((x) => x.default);
        if (g && cur) await showDiff(g, cur);
      }),
    ),
    registerCommand(
      ctx,
      'nixboot.generations.diffWith',
      guard(async (arg?: unknown, other?: unknown) => {
        if (!tree.data && (typeof arg === 'number' || typeof other === 'number')) await tree.refresh();
        const gone = [arg, other].find((n) => typeof n === 'number' && !genOf(n, tree));
        if (gone !== undefined)
          return void vscode.window.showWarningMessage(
            `Generation ${String(gone)} is no longer under the system root: nothing to compare.`,
          );
        const a = genOf(arg, tree) ?? (await pickGeneration(tree, 'First generation'));
        // A second argument (a report's "Reload this report") names the other generation.
        const b =
          a &&
          (genOf(other, tree) ??
            (await pickGeneration(tree, `Compare generation ${a.generation} with…`, a.generation)));
        if (a && b) await showDiff(a, b);
      }),
    ),
    registerCommand(
      ctx,
      'nixboot.generations.compareInitrds',
      guard(async (arg?: unknown) => {
        const a = genOf(arg, tree) ?? (await pickGeneration(tree, 'First generation'));
        const b =
          a &&
          (await pickGeneration(
            tree,
            `Compare the initrd of generation ${a.generation} with…`,
            a.generation,
          ));
        if (a && b && (!a.initrd || !b.initrd))
          return void vscode.window.showWarningMessage(
            `Generation ${(a.initrd ? b : a).generation} has no initrd to compare.`,
          );
        if (a?.initrd && b?.initrd)
          await vscode.commands.executeCommand(
            'nixboot.initrd.compare',
            vscode.Uri.file(a.initrd.hostPath),
            vscode.Uri.file(b.initrd.hostPath),
          );
      }),
    ),
    registerCommand(
      ctx,
      'nixboot.generations.copyStorePath',
      guard(async (arg?: unknown) => {
        const g = genOf(arg, tree) ?? (await pickGeneration(tree, 'Copy the store path of…'));
        if (g) await vscode.env.clipboard.writeText(g.storePath);
      }),
    ),
    registerCommand(
      ctx,
      'nixboot.generations.revealInTerminal',
      guard(async (arg?: unknown) => {
        const g = genOf(arg, tree) ?? (await pickGeneration(tree, 'Open a terminal in…'));
        if (!g) return;
        const t = vscode.window.createTerminal({ name: `Generation ${g.generation}`, cwd: g.hostStorePath });
        t.show();
      }),
    ),
    registerCommand(
      ctx,
      'nixboot.generations.find',
      guard(async (given?: unknown) => {
        const pattern =
          typeof given === 'string' && given
            ? given
            : await vscode.window.showInputBox({
                prompt: 'Find generations whose closure holds a store path matching (regex)',
                placeHolder: 'e.g. sed-key',
              });
        if (!pattern) return;
        const r = await send(ctx.client, GenerationsFindRequest, { root: tree.root(), pattern });
        reports(ctx).show(findGenerations, { pattern, result: r });
      }),
    ),
    registerCommand(
      ctx,
      'nixboot.generations.setBootDefault',
      guard(async (arg?: unknown) => {
        const g = genOf(arg, tree) ?? (await pickGeneration(tree, 'Generation to boot by default'));
        if (!g) return;
        const r = await switchCommands('setBootDefault', g);
        await confirmAndRun(`Set generation ${r.generation} as the boot default?`, r.effect, r.commands);
      }),
    ),
    registerCommand(
      ctx,
      'nixboot.generations.rollback',
      guard(async () => {
        const r = await switchCommands('rollback');
        await confirmAndRun(`Roll back to generation ${r.generation}?`, r.effect, r.commands);
      }),
    ),
  );
  onTrustGranted(() => void tree.refresh());
  void tree.refresh();
}
