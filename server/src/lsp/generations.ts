// LSP side of system generations: list/diff/find requests and code lenses in Nix files above
// `configurationLimit` ("N generations, M entries in /boot, room for K more", with a warning when the
// limit cannot fit) and above `boot.initrd` settings (the current initrd's size).
import type { CodeLens } from 'vscode-languageserver/node';
import { ResponseError } from 'vscode-languageserver/node';
import { GenerationsDiffRequest, GenerationsFindRequest, GenerationsListRequest } from '../protocol';
import { pickGeneration, readGenerations, type GenerationsReport } from '../system/generations';
import { bootBudget, bootBudgetFindings, describeBudget, describeRoom, findConfigurationLimits, fmtBytes, generationWarnings, type BootBudget } from '../system/bootBudget';
import { diffClosures, matchClosure, queryClosure, type ClosureDiff } from '../system/closure';
import { analyzeFile } from '../analysis';
import { matchPath, type Definition } from '../nixos/definitions';
import type { Feature, ServerEnv } from './env';
import { addFindingsSource } from './lint';
import { literalInt } from '../rules/util';

function rootOf(env: ServerEnv, root?: string): string {
  const s = env.settings().systemRoot;
  return root || (typeof s === 'string' && s.trim() ? s.trim() : '/');
}

function fail(e: unknown): never {
  throw new ResponseError(1, (e as Error).message ?? String(e));
}

function diffMarkdown(from: number, to: number, d: ClosureDiff): string {
  const sign = (n: number) => (n > 0 ? `+${fmtBytes(n)}` : n < 0 ? `−${fmtBytes(-n)}` : '0 B');
  const out = [`# Closure diff: gen ${from} → gen ${to}`, '', `Closure: ${d.pathsBefore} → ${d.pathsAfter} paths, ${fmtBytes(d.sizeBefore)} → ${fmtBytes(d.sizeAfter)} (${sign(d.sizeAfter - d.sizeBefore)})`, ''];
  for (const kind of ['changed', 'added', 'removed'] as const) {
    const cs = d.changes.filter((c) => c.kind === kind);
    if (!cs.length) continue;
    out.push(`## ${kind[0]!.toUpperCase()}${kind.slice(1)} (${cs.length})`, '', '| Package | Versions | Size |', '|---|---|---:|');
    for (const c of cs) {
      const v = kind === 'added' ? c.after.join(', ') : kind === 'removed' ? c.before.join(', ') : `${c.before.join(', ') || '∅'} → ${c.after.join(', ') || '∅'}`;
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
export function locateBootSettings(text: string, definitions?: readonly Definition[]): { limits: { start: number; end: number; value: number }[]; initrd?: number } {
  const byStart = new Map<number, { start: number; end: number; value: number }>();
  let initrd: number | undefined;
  try {
    for (const d of definitions ?? analyzeFile('configuration.nix', text).definitions) {
      if (matchPath(d.path, ['boot', 'loader', '*', 'configurationLimit'])) {
        const raw = text.slice(d.value.start, d.value.end).trim();
        if (/^\d+$/.test(raw)) byStart.set(d.value.start, { start: d.value.start, end: d.value.end, value: Number(raw) });
      } else if (d.path[0] === 'boot' && d.path[1] === 'initrd' && (initrd === undefined || d.key.start < initrd)) initrd = d.key.start;
    }
  } catch {
    /* resolution is best effort */
  }
  for (const l of findConfigurationLimits(text)) if (![...byStart.values()].some((x) => x.start <= l.start && l.start < x.end)) byStart.set(l.start, l);
  return { limits: [...byStart.values()].sort((a, b) => a.start - b.start), initrd };
}

/** Code lenses for a Nix text from the generation facts (exported for tests). */
export function generationLenses(text: string, report: GenerationsReport, budget: BootBudget, definitions?: readonly Definition[]): { offset: number; title: string; tooltip?: string }[] {
  const out: { offset: number; title: string; tooltip?: string }[] = [];
  const n = report.generations.length;
  const located = locateBootSettings(text, definitions);
  const findings = bootBudgetFindings(text, { generations: n, budget }, located.limits);
  for (const l of located.limits) {
    const warn = findings.find((f) => f.start === l.start);
    const room = describeRoom(budget) ? `, ${describeRoom(budget)}` : '';
    out.push({
      offset: l.start,
      title: `${warn ? '⚠ ' : ''}${n} generation${n === 1 ? '' : 's'}, ${budget.entries} entr${budget.entries === 1 ? 'y' : 'ies'} in /boot${room}`,
      tooltip: warn?.message ?? `${fmtBytes(budget.nextGenerationBytes)} kernel + initrd per new generation; ${budget.freeBytes !== undefined ? `${fmtBytes(budget.freeBytes)} free` : 'free space unknown'} in ${budget.bootDir}`,
    });
  }
  const cur = report.generations.find((g) => g.current) ?? report.generations.find((g) => g.default);
  if (cur?.initrd?.size !== undefined && located.initrd !== undefined) {
    out.push({ offset: located.initrd, title: `Current initrd: ${fmtBytes(cur.initrd.size)} (generation ${cur.generation}, Linux ${cur.kernelVersion ?? '?'})`, tooltip: cur.initrd.path });
  } else if (cur?.initrd?.size !== undefined) {
    const re = /(^|[^\w.-])boot\s*\.\s*initrd\b|(^|[^\w.-])initrd\s*=\s*\{/gm;
    for (let m; (m = re.exec(text)); ) {
      const lineStart = text.lastIndexOf('\n', m.index) + 1;
      if (/^\s*#/.test(text.slice(lineStart, m.index + 1))) continue;
      out.push({ offset: m.index + (m[1] ?? m[2] ?? '').length, title: `Current initrd: ${fmtBytes(cur.initrd.size)} (generation ${cur.generation}, Linux ${cur.kernelVersion ?? '?'})`, tooltip: cur.initrd.path });
      break;
    }
  }
  return out;
}

export const generationsFeature: Feature = (env) => {
  const { connection } = env;
  let cached: { root: string; at: number; report: GenerationsReport; budget: BootBudget } | undefined;
  const facts = (root: string) => {
    if (cached && cached.root === root && Date.now() - cached.at < 10_000) return cached;
    const report = readGenerations({ root });
    cached = { root, at: Date.now(), report, budget: bootBudget(report) };
    return cached;
  };

  // The linter's diagnostics also say when configurationLimit cannot fit in /boot at the current
  // generation size (only where this machine has a system profile to measure).
  addFindingsSource((file) => {
    const limits = file.definitions
      .filter((d) => d.path.length === 4 && d.path[0] === 'boot' && d.path[1] === 'loader' && d.path[3] === 'configurationLimit')
      .flatMap((d) => {
        const value = literalInt(d.value);
        return value === undefined ? [] : [{ start: d.value.start, end: d.value.end, value }];
      });
    if (limits.length === 0) return [];
    let f: ReturnType<typeof facts>;
    try {
      f = facts(rootOf(env));
    } catch {
      return []; // no system profile here: nothing to measure
    }
    if (f.report.generations.length === 0) return [];
    return bootBudgetFindings(file.text, { generations: f.report.generations.length, budget: f.budget }, limits).map((x) => ({
      rule: 'boot-budget',
      severity: x.severity === 'information' ? ('info' as const) : x.severity,
      file: file.path,
      start: x.start,
      end: x.end,
      message: x.message,
      fixes: [],
    }));
  });
  env.onSettingsChanged(() => (cached = undefined));

  connection.onRequest(GenerationsListRequest.method, (p: GenerationsListRequest.Params): GenerationsListRequest.Result => {
    try {
      const report = readGenerations({ root: rootOf(env, p.root), profile: p.profile });
      const budget = bootBudget(report);
      return { root: report.root, profile: report.profile, generations: report.generations, budget: { ...budget, summary: describeBudget(budget) }, warnings: generationWarnings(report, budget) };
    } catch (e) {
      fail(e);
    }
  });

  connection.onRequest(GenerationsDiffRequest.method, async (p: GenerationsDiffRequest.Params, token): Promise<GenerationsDiffRequest.Result> => {
    const c = new AbortController();
    token?.onCancellationRequested(() => c.abort());
    try {
      const root = rootOf(env, p.root);
      const report = readGenerations({ root, profile: p.profile });
      const [a, b] = [pickGeneration(report.generations, p.a), pickGeneration(report.generations, p.b)];
      if (!a || !b) throw new Error(`no generation '${!a ? p.a : p.b}'`);
      const [ca, cb] = await Promise.all([queryClosure(a.storePath, { root, signal: c.signal }), queryClosure(b.storePath, { root, signal: c.signal })]);
      const d = diffClosures(ca, cb);
      return { from: a.generation, to: b.generation, ...d, markdown: diffMarkdown(a.generation, b.generation, d) };
    } catch (e) {
      fail(e);
    }
  });

  connection.onRequest(GenerationsFindRequest.method, async (p: GenerationsFindRequest.Params, token): Promise<GenerationsFindRequest.Result> => {
    const c = new AbortController();
    token?.onCancellationRequested(() => c.abort());
    try {
      matchClosure([], p.pattern); // a bad pattern fails before any query
      const root = rootOf(env, p.root);
      const report = readGenerations({ root, profile: p.profile });
      const results: GenerationsFindRequest.Result['results'] = [];
      for (const g of report.generations) {
        if (!g.exists) continue;
        const matches = matchClosure(await queryClosure(g.storePath, { root, signal: c.signal }), p.pattern);
        if (matches.length) results.push({ generation: g.generation, matches });
      }
      return { results };
    } catch (e) {
      fail(e);
    }
  });

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
    // The document's model from the analysis host: not parsed again for the lenses.
    return generationLenses(text, f.report, f.budget, env.analysis.model(doc).definitions).map((l) => {
      const pos = doc.positionAt(l.offset);
      return {
        range: { start: { line: pos.line, character: 0 }, end: { line: pos.line, character: 0 } },
        command: { title: l.title, command: 'nixboot.generations.focus', tooltip: l.tooltip } as CodeLens['command'],
      };
    });
  });
};
