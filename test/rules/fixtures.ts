// Data-driven rule tests. A fixture is a .nix file (or a directory of them, linted together)
// under test/rules/<rule-id>/. Markup lives in the fixture, not in test code:
//   # ^^^^ rule-id          the line above has a finding of rule-id at these columns
//                           (one caret: only the start column is checked)
//   # ^^^^ rule-id (hint)   … and it has this severity (error, warning, info, hint)
//   # test: release 25.11   settings for the run (nixboot.nixosRelease)
//   # test: boot systemd-boot host=alpha free=40MiB used=200MiB each=50MiB generations=4
//                           the measured machine (RuleContext.system, as `--root` gives it): loader,
//                           the host name in its newest toplevel, free bytes on /boot, bytes of the
//                           copies its entries load, kernel + initrd of the newest generation,
//                           generations in the profile; optional mount=/boot, partial (not every
//                           entry file measured), stale (no entry for the newest generation),
//                           own-config (the fixture's directory is the system's /etc/nixos)
//   # test: expect 1:0 rule-id   a finding of rule-id at line 1 (1-based), column 0: for findings
//                           at the start of a line, and in files that are not Nix (binary data)
// Files named bad-* must contain at least one annotation; ok-* none. A `NAME.nix.fixed` golden
// beside a fixture holds the text after applying every finding's first fix (UPDATE_EXPECT=1
// regenerates it).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { analyzeFile, lintFile, makeProject, type LintSettings } from '../../server/src/analysis';
import { budgetCounts, type BootBudget, type MeasuredSystem } from '../../server/src/system/bootBudget';
import type { Finding } from '../../server/src/rules/types';
import { lineStarts, positionAt } from '../../server/src/text';

export const RULES_DIR = new URL('.', import.meta.url).pathname;

export interface Expectation {
  readonly file: string;
  readonly rule: string;
  readonly line: number;
  readonly startCol: number;
  readonly endCol: number | undefined;
  readonly severity?: string;
}

const ANNOTATION = /^\s*#(\s*)(\^+)\s+([a-z0-9-]+)(?:\s+\((error|warning|info|hint)\))?\s*$/;
const EXPLICIT = /^\s*#\s*test:\s*expect\s+(\d+):(\d+)\s+([a-z0-9-]+)\s*$/;

export function expectationsOf(file: string, text: string): Expectation[] {
  const lines = text.split('\n');
  const out: Expectation[] = [];
  for (let i = 0; i < lines.length; i++) {
    const x = EXPLICIT.exec(lines[i]!);
    if (x) out.push({ file, rule: x[3]!, line: Number(x[1]) - 1, startCol: Number(x[2]), endCol: undefined });
    const m = ANNOTATION.exec(lines[i]!);
    if (!m) continue;
    let target = i - 1;
    while (target >= 0 && ANNOTATION.test(lines[target]!)) target--;
    const startCol = lines[i]!.indexOf('^');
    const carets = m[2]!.length;
    out.push({
      file,
      rule: m[3]!,
      line: target,
      startCol,
      endCol: carets === 1 ? undefined : startCol + carets,
      ...(m[4] ? { severity: m[4] } : {}),
    });
  }
  return out;
}

const UNITS: Record<string, number> = { B: 1, KiB: 1024, MiB: 1024 ** 2, GiB: 1024 ** 3 };

function bytes(v: string | undefined, what: string): number {
  const m = v === undefined ? null : /^(\d+(?:\.\d+)?)(B|KiB|MiB|GiB)$/.exec(v);
  if (!m) throw new Error(`# test: boot needs ${what}=<number><B|KiB|MiB|GiB>, got ${v}`);
  return Math.round(Number(m[1]) * UNITS[m[2]!]!);
}

/** The measured machine of a `# test: boot …` line, with its counts from the engine's own budgetCounts. */
export function measuredOf(line: string, fixtureDir?: string): MeasuredSystem {
  const [loader, ...rest] = line.trim().split(/\s+/);
  if (loader !== 'systemd-boot' && loader !== 'grub' && loader !== 'extlinux')
    throw new Error(`# test: boot: unknown loader ${loader}`);
  const kv = new Map(
    rest.map((w) =>
      w.includes('=') ? [w.slice(0, w.indexOf('=')), w.slice(w.indexOf('=') + 1)] : [w, 'yes'],
    ),
  );
  const freeBytes = bytes(kv.get('free'), 'free');
  const usedByGenerations = bytes(kv.get('used'), 'used');
  const nextGenerationBytes = bytes(kv.get('each'), 'each');
  const generations = Number(kv.get('generations') ?? '3');
  const counts = budgetCounts({
    copies: true,
    freeBytes,
    usedByGenerations,
    nextGenerationBytes,
    measured: !kv.has('partial'),
  });
  const budget: BootBudget = {
    loader,
    bootDir: '/boot',
    copies: true,
    freeBytes,
    totalBytes: freeBytes + usedByGenerations,
    usedByGenerations,
    perGeneration: [],
    nextGenerationBytes,
    entries: generations,
    ...counts,
  };
  return {
    root: '/',
    toplevelName: `nixos-system-${kv.get('host') ?? 'nixos'}-26.05.20260101.0000000`,
    generations,
    newestHasEntry: !kv.has('stale'),
    bootMountPoint: kv.get('mount') ?? '/boot',
    ...(kv.has('own-config') && fixtureDir ? { configDir: fixtureDir } : {}),
    budget,
  };
}

function settingsOf(text: string, fixtureDir?: string): LintSettings {
  const m = /#\s*test:\s*release\s+(\S+)/.exec(text);
  const b = /#\s*test:\s*boot\s+([^\n]+)/.exec(text);
  return { ...(m ? { nixosRelease: m[1]! } : {}), ...(b ? { system: measuredOf(b[1]!, fixtureDir) } : {}) };
}

export interface FixtureCase {
  readonly rule: string;
  readonly name: string;
  readonly files: string[];
}

/** The .nix files of a multi-file fixture, in subdirectories too (hosts/alpha/default.nix). */
function nixFilesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...nixFilesUnder(p));
    else if (name.endsWith('.nix')) out.push(p);
  }
  return out;
}

export function fixtureCases(): FixtureCase[] {
  const cases: FixtureCase[] = [];
  for (const rule of readdirSync(RULES_DIR).sort()) {
    const dir = join(RULES_DIR, rule);
    if (!statSync(dir).isDirectory()) continue;
    for (const name of readdirSync(dir).sort()) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) {
        cases.push({ rule, name, files: nixFilesUnder(p) });
      } else if (name.endsWith('.nix')) cases.push({ rule, name, files: [p] });
    }
  }
  return cases;
}

export interface CaseResult {
  readonly expected: string[];
  readonly actual: string[];
  readonly findings: Finding[];
  readonly texts: Map<string, string>;
}

function describe(
  file: string,
  line: number,
  start: number,
  end: number | undefined,
  rule: string,
  severity?: string,
): string {
  return `${file.slice(file.lastIndexOf('/') + 1)}:${line + 1}:${start}${end === undefined ? '' : `-${end}`} ${rule}${severity ? ` (${severity})` : ''}`;
}

export function runCase(c: FixtureCase): CaseResult {
  const texts = new Map(c.files.map((f) => [f, readFileSync(f, 'utf8')]));
  const settings = settingsOf([...texts.values()].join('\n'), dirname(c.files[0]!));
  const models = c.files.map((f) => analyzeFile(f, texts.get(f)!));
  const project = makeProject(models, settings);
  const findings = models.flatMap((m) => lintFile(m, project, settings)).filter((f) => f.rule === c.rule);
  const expectations = c.files
    .flatMap((f) => expectationsOf(f, texts.get(f)!))
    .filter((e) => e.rule === c.rule);
  const expected = expectations
    .map((e) => describe(e.file, e.line, e.startCol, e.endCol, e.rule, e.severity))
    .sort();
  const actual = findings
    .map((f) => {
      const starts = lineStarts(texts.get(f.file)!);
      const s = positionAt(starts, f.start);
      const e = positionAt(starts, f.end);
      const exp = expectations.find(
        (x) => x.file === f.file && x.line === s.line && x.startCol === s.character,
      );
      const end = exp && exp.endCol === undefined ? undefined : e.line === s.line ? e.character : -1;
      return describe(f.file, s.line, s.character, end, f.rule, exp?.severity ? f.severity : undefined);
    })
    .sort();
  return { expected, actual, findings, texts };
}
