// LSP side of system generations: list/diff/find requests, the measured machine for the lint rules
// (boot-partition-budget), and code lenses in Nix files above `configurationLimit` ("N generations,
// M entries in /boot, room for K more", with ⚠ where that rule reports the limit) and above
// `boot.initrd` settings (the current initrd's size).
import type { CodeLens } from 'vscode-languageserver/node';
import { ResponseError } from 'vscode-languageserver/node';
import {
  GenerationsDiffRequest,
  GenerationsFindRequest,
  GenerationsListRequest,
  GenerationsSwitchCommandsRequest,
} from '../protocol';
import { onRequest } from './typed';
import {
  pickGeneration,
  readGenerations,
  withHostPaths,
  type GenerationsReport,
} from '../system/generations';
import {
  bootBudget,
  describeBudget,
  describeRoom,
  findConfigurationLimits,
  fmtBytes,
  generationWarnings,
  measuredSystem,
  type BootBudget,
  type MeasuredSystem,
} from '../system/bootBudget';
import { switchCommands } from '../system/profileCommands';
import { diffClosures, matchClosure, queryClosure, type ClosureDiff } from '../system/closure';
import { analyzeFile, lintFile } from '../analysis';
import { matchPath, type Definition } from '../nixos/definitions';
import type { Feature, ServerEnv } from './env';
import { setMeasuredSystemSource, settingsWithSystem } from './lint';
import { rule as bootPartitionBudget } from '../rules/boot-partition-budget';

function rootOf(env: ServerEnv, root?: string): string {
  const s = env.settings().systemRoot;
  return root || (typeof s === 'string' && s.trim() ? s.trim() : '/');
}

function fail(e: unknown): never {
  throw new ResponseError(1, (e as Error).message ?? String(e));
}

function diffMarkdown(from: number, to: number, d: ClosureDiff): string {
  const sign = (n: number) => (n > 0 ? `+${fmtBytes(n)}` : n < 0 ? `−${fmtBytes(-n)}` : '0 B');
  const out = [
    `# Closure diff: gen ${from} → gen ${to}`,
    '',
    `Closure: ${d.pathsBefore} → ${d.pathsAfter} paths, ${fmtBytes(d.sizeBefore)} → ${fmtBytes(d.sizeAfter)} (${sign(d.sizeAfter - d.sizeBefore)})`,
    '',
  ];
  for (const kind of ['changed', 'added', 'removed'] as const) {
    const cs = d.changes.filter((c) => c.kind === kind);
    if (!cs.length) continue;
    out.push(
      `## ${kind[0]!.toUpperCase()}${kind.slice(1)} (${cs.length})`,
      '',
      '| Package | Versions | Size |',
      '|---|---|---:|',
    );
    for (const c of cs) {
      const v =
        kind === 'added'
          ? c.after.join(', ')
          : kind === 'removed'
            ? c.before.join(', ')
            : `${c.before.join(', ') || '∅'} → ${c.after.join(', ') || '∅'}`;
      out.push(`| ${c.pname} | ${v || '∅'} | ${sign(c.sizeDelta)} |`);
    }
    out.push('');
  }
  if (!d.changes.length) out.push('No package changes.', '');
  return out.join('\n');
}

/**
 * Where a Nix file sets `boot.loader.*.configurationLimit` (literal integers) and its first
 * `boot.initrd.*` definition: from the option-path resolver (nested sets, mkDefault …), united with
 * a text scan for what the resolver leaves out.
 */
export function locateBootSettings(
  text: string,
  definitions?: readonly Definition[],
): { limits: { start: number; end: number; value: number }[]; initrd?: number } {
  const byStart = new Map<number, { start: number; end: number; value: number }>();
  let initrd: number | undefined;
  try {
    for (const d of definitions ?? analyzeFile('configuration.nix', text).definitions) {
      if (matchPath(d.path, ['boot', 'loader', '*', 'configurationLimit'])) {
        const raw = text.slice(d.value.start, d.value.end).trim();
        if (/^\d+$/.test(raw))
          byStart.set(d.value.start, { start: d.value.start, end: d.value.end, value: Number(raw) });
      } else if (
        d.path[0] === 'boot' &&
        d.path[1] === 'initrd' &&
        (initrd === undefined || d.key.start < initrd)
      )
        initrd = d.key.start;
    }
  } catch {
    /* resolution is best effort */
  }
  for (const l of findConfigurationLimits(text))
    if (![...byStart.values()].some((x) => x.start <= l.start && l.start < x.end)) byStart.set(l.start, l);
  return { limits: [...byStart.values()].sort((a, b) => a.start - b.start), initrd };
}

/**
 * Code lenses for a Nix text from the generation facts (exported for tests). `warnings`: the
 * boot-partition-budget findings of the same text, which put ⚠ and their message on the limit's lens.
 */
export function generationLenses(
  text: string,
  report: GenerationsReport,
  budget: BootBudget,
  definitions?: readonly Definition[],
  warnings: readonly { start: number; message: string }[] = [],
): { offset: number; title: string; tooltip?: string }[] {
  const out: { offset: number; title: string; tooltip?: string }[] = [];
  const n = report.generations.length;
  const located = locateBootSettings(text, definitions);
  for (const l of located.limits) {
    const warn = warnings.find((f) => f.start === l.start);
    const room = describeRoom(budget) ? `, ${describeRoom(budget)}` : '';
    out.push({
      offset: l.start,
      title: `${warn ? '⚠ ' : ''}${n} generation${n === 1 ? '' : 's'}, ${budget.entries} entr${budget.entries === 1 ? 'y' : 'ies'} in /boot${room}`,
      tooltip:
        warn?.message ??
        `${fmtBytes(budget.nextGenerationBytes)} kernel + initrd per new generation; ${budget.freeBytes !== undefined ? `${fmtBytes(budget.freeBytes)} free` : 'free space unknown'} in ${budget.bootDir}`,
    });
  }
  const cur = report.generations.find((g) => g.current) ?? report.generations.find((g) => g.default);
  if (cur?.initrd?.size !== undefined && located.initrd !== undefined) {
    out.push({
      offset: located.initrd,
      title: `Current initrd: ${fmtBytes(cur.initrd.size)} (generation ${cur.generation}, Linux ${cur.kernelVersion ?? '?'})`,
      tooltip: cur.initrd.path,
    });
  } else if (cur?.initrd?.size !== undefined) {
    const re = /(^|[^\w.-])boot\s*\.\s*initrd\b|(^|[^\w.-])initrd\s*=\s*\{/gm;
    for (let m; (m = re.exec(text));) {
      const lineStart = text.lastIndexOf('\n', m.index) + 1;
      if (/^\s*#/.test(text.slice(lineStart, m.index + 1))) continue;
      out.push({
        offset: m.index + (m[1] ?? m[2] ?? '').length,
        title: `Current initrd: ${fmtBytes(cur.initrd.size)} (generation ${cur.generation}, Linux ${cur.kernelVersion ?? '?'})`,
        tooltip: cur.initrd.path,
      });
      break;
    }
  }
  return out;
}

export const generationsFeature: Feature = (env) => {
  const { connection } = env;
  let cached:
    | { root: string; at: number; report: GenerationsReport; budget: BootBudget; system: MeasuredSystem }
    | undefined;
  const facts = (root: string) => {
    if (cached && cached.root === root && Date.now() - cached.at < 10_000) return cached;
    const report = readGenerations({ root });
    const budget = bootBudget(report);
    cached = { root, at: Date.now(), report, budget, system: measuredSystem(report, budget) };
    return cached;
  };

  // The lint rules judge the /boot budget of the machine at nixboot.systemRoot (only where it has a
  // system profile to measure; boot-partition-budget).
  setMeasuredSystemSource(() => {
    try {
      const f = facts(rootOf(env));
      return f.report.generations.length > 0 ? f.system : undefined;
    } catch {
      return undefined; // no system profile here: nothing to measure
    }
  });
  env.onSettingsChanged(() => (cached = undefined));

  onRequest(
    connection,
    GenerationsListRequest,
    (p: GenerationsListRequest.Params): GenerationsListRequest.Result => {
      try {
        const report = readGenerations({ root: rootOf(env, p.root), profile: p.profile });
        const budget = bootBudget(report);
        return {
          root: report.root,
          profile: report.profile,
          generations: report.generations.map((g) => withHostPaths(report.root, g)),
          budget: { ...budget, summary: describeBudget(budget) },
          warnings: generationWarnings(report, budget),
        };
      } catch (e) {
        fail(e);
      }
    },
  );

  onRequest(connection, GenerationsSwitchCommandsRequest, (p) => {
    try {
      const report = readGenerations({ root: rootOf(env, p.root), profile: p.profile });
      return switchCommands({
        root: report.root,
        profile: report.profile,
        generations: report.generations,
        action: p.action,
        generation: p.generation,
      });
    } catch (e) {
      fail(e);
    }
  });

  onRequest(
    connection,
    GenerationsDiffRequest,
    async (p: GenerationsDiffRequest.Params, token): Promise<GenerationsDiffRequest.Result> => {
      const c = new AbortController();
      token?.onCancellationRequested(() => c.abort());
      try {
        const root = rootOf(env, p.root);
        const report = readGenerations({ root, profile: p.profile });
        const [a, b] = [pickGeneration(report.generations, p.a), pickGeneration(report.generations, p.b)];
        if (!a || !b) throw new Error(`no generation '${!a ? p.a : p.b}'`);
        const [ca, cb] = await Promise.all([
          queryClosure(a.storePath, { root, signal: c.signal }),
          queryClosure(b.storePath, { root, signal: c.signal }),
        ]);
        const d = diffClosures(ca, cb);
        return {
          from: a.generation,
          to: b.generation,
          ...d,
          markdown: diffMarkdown(a.generation, b.generation, d),
        };
      } catch (e) {
        fail(e);
      }
    },
  );

  onRequest(
    connection,
    GenerationsFindRequest,
    async (p: GenerationsFindRequest.Params, token): Promise<GenerationsFindRequest.Result> => {
      const c = new AbortController();
      token?.onCancellationRequested(() => c.abort());
      try {
        matchClosure([], p.pattern); // a bad pattern fails before any query
        const root = rootOf(env, p.root);
        const report = readGenerations({ root, profile: p.profile });
        const results: GenerationsFindRequest.Result['results'] = [];
        for (const g of report.generations) {
          if (!g.exists) continue;
          const matches = matchClosure(
            await queryClosure(g.storePath, { root, signal: c.signal }),
            p.pattern,
          );
          if (matches.length) results.push({ generation: g.generation, matches });
        }
        return { results };
      } catch (e) {
        fail(e);
      }
    },
  );

  env.addCodeLensProvider((doc): CodeLens[] => {
    if (!doc.uri.endsWith('.nix')) return [];
    const text = doc.getText();
    if (!/configurationLimit|initrd/.test(text)) return [];
    let f;
    try {
      f = facts(rootOf(env));
    } catch {
      return []; // no profile on this machine (e.g. not NixOS): no lenses
    }
    if (!f.report.generations.length) return [];
    // The document's model from the analysis host: not parsed again for the lenses. The ⚠ comes from
    // the rule itself, with the same settings (severity, off, ignore comments) as the diagnostics.
    const model = env.analysis.model(doc);
    const warnings = lintFile(model, env.analysis.project(), settingsWithSystem(env.analysis.settings()), [
      bootPartitionBudget,
    ]);
    return generationLenses(text, f.report, f.budget, model.definitions, warnings).map((l) => {
      const pos = doc.positionAt(l.offset);
      return {
        range: { start: { line: pos.line, character: 0 }, end: { line: pos.line, character: 0 } },
        command: {
          title: l.title,
          command: 'nixboot.generations.focus',
          tooltip: l.tooltip,
        } as CodeLens['command'],
      };
    });
  });
};
