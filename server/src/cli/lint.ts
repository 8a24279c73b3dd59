// `nixboot lint` and `nixboot explain`: the linter on the command line (text, JSON, SARIF 2.1.0).
import { readdir, stat, writeFile } from 'node:fs/promises';
import { statSync } from 'node:fs';
import { readRegularFileSync } from '../files';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Log, ReportingDescriptor, Result } from 'sarif';
import {
  analyzeFile,
  explainHost,
  lintFile,
  makeProject,
  overSizeLimit,
  RULES,
  ruleById,
  tooLargeFile,
  type LintSettings,
} from '../analysis';
import { renderRuleDoc } from '../rules/docs';
import type { Finding, SeveritySetting } from '../rules/types';
import { applyEdits, lineStarts, positionAt } from '../text';
import type { CliCommand, CliIO } from './io';
import { CliError } from './io';
import { readArgs, unknownOption } from './args';
import { printable } from '../text';
import { readGenerations } from '../system/generations';
import { measuredSystem, type MeasuredSystem } from '../system/bootBudget';

const VERSION = '0.1.0';
const SKIP_DIRS = new Set(['.git', 'node_modules', '.direnv', 'result', '.jj']);
const SEVERITIES = new Set(['off', 'hint', 'info', 'warning', 'error']);

interface LintArgs {
  format: 'text' | 'json' | 'sarif';
  fix: boolean;
  /** `--explain-host FILE`: print the host FILE is judged for instead of findings. */
  explainHost?: string;
  paths: string[];
  settings: { rules: Record<string, SeveritySetting>; nixosRelease?: string; maxFileBytes?: number };
  /** `--root DIR` (`--profile PATH`): the machine whose /boot the rules judge (boot-partition-budget). */
  root?: string;
  profile?: string;
}

function parseArgs(args: string[]): LintArgs {
  const out: LintArgs = { format: 'text', fix: false, paths: [], settings: { rules: {} } };
  for (const arg of readArgs(args)) {
    const a = arg.name;
    const value = () => arg.value();
    if (arg.positional) out.paths.push(a);
    else if (a === '--format' || a === '-f') {
      const f = value();
      if (f !== 'text' && f !== 'json' && f !== 'sarif')
        throw new CliError(`unknown format '${f}' (text, json, sarif)`);
      out.format = f;
    } else if (a === '--fix') out.fix = true;
    else if (a === '--explain-host') out.explainHost = value();
    else if (a === '--nixos-release') out.settings.nixosRelease = value();
    else if (a === '--root') out.root = value();
    else if (a === '--profile') out.profile = value();
    else if (a === '--max-file-size') {
      const v = value();
      const mib = Number(v);
      if (!/^\d+(\.\d+)?$/.test(v) || !(mib > 0))
        throw new CliError(`--max-file-size expects a size in MiB (e.g. 2 or 0.5), got '${v}'`);
      out.settings.maxFileBytes = Math.round(mib * 1024 * 1024);
    } else if (a === '--rule') {
      const [id, sev] = value().split('=');
      if (!id || !sev || !ruleById(id))
        throw new CliError(`--rule expects ID=SEVERITY with a known rule id, got '${id}=${sev}'`);
      if (!SEVERITIES.has(sev))
        throw new CliError(`unknown severity '${sev}' (off, hint, info, warning, error)`);
      out.settings.rules[id] = sev as SeveritySetting;
    } else throw unknownOption(arg);
  }
  if (out.profile !== undefined && out.root === undefined)
    throw new CliError('--profile needs --root (the system whose profile it is; / for this machine)');
  if (out.paths.length === 0 && out.explainHost) out.paths.push('.');
  if (out.paths.length === 0) throw new CliError('no PATH given (see nixboot lint --help)');
  return out;
}

async function collectFiles(paths: string[], cwd: string): Promise<string[]> {
  const files: string[] = [];
  const walk = async (dir: string, depth: number): Promise<void> => {
    if (depth > 64) return;
    const entries = await readdir(dir, { withFileTypes: true });
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      const p = join(dir, e.name);
      if (e.isDirectory()) {
        if (!SKIP_DIRS.has(e.name)) await walk(p, depth + 1);
      } else if (e.isFile() && e.name.endsWith('.nix')) files.push(p);
    }
  };
  for (const p of paths) {
    const abs = isAbsolute(p) ? p : resolve(cwd, p);
    let st;
    try {
      st = await stat(abs);
    } catch {
      throw new CliError(`cannot read '${p}': no such file or directory`);
    }
    if (st.isDirectory()) await walk(abs, 0);
    else files.push(abs);
  }
  return [...new Set(files)];
}

interface Located extends Finding {
  readonly range: { start: { line: number; character: number }; end: { line: number; character: number } };
}

function locate(findings: Finding[], texts: Map<string, string>): Located[] {
  const starts = new Map<string, number[]>();
  return findings.map((f) => {
    let ls = starts.get(f.file);
    if (!ls) starts.set(f.file, (ls = lineStarts(texts.get(f.file) ?? '')));
    return { ...f, range: { start: positionAt(ls, f.start), end: positionAt(ls, f.end) } };
  });
}

function sarifLevel(s: Finding['severity']): 'error' | 'warning' | 'note' {
  return s === 'error' ? 'error' : s === 'warning' ? 'warning' : 'note';
}

function toSarif(findings: Located[], cwd: string): Log {
  const ruleIndex = new Map(RULES.map((r, i) => [r.id, i]));
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'nixboot',
            version: VERSION,
            semanticVersion: VERSION,
            informationUri: 'https://github.com/nixboot/nixboot',
            rules: RULES.map((r): ReportingDescriptor => ({
              id: r.id,
              name: r.id.replace(/(^|-)([a-z0-9])/g, (_m, _d, c: string) => c.toUpperCase()),
              shortDescription: { text: r.title },
              fullDescription: { text: r.docs.summary },
              help: { text: r.docs.fix, markdown: renderRuleDoc(r) },
              defaultConfiguration: { level: sarifLevel(r.severity) },
              properties: { tags: ['nixos', 'boot'] },
            })),
          },
        },
        originalUriBaseIds: { '%SRCROOT%': { uri: pathToFileURL(cwd.endsWith('/') ? cwd : `${cwd}/`).href } },
        results: findings.map((f): Result => {
          const rel = relative(cwd, f.file);
          const inside = !rel.startsWith('..') && !isAbsolute(rel);
          return {
            ruleId: f.rule,
            ruleIndex: ruleIndex.get(f.rule) ?? -1,
            level: sarifLevel(f.severity),
            message: { text: f.message },
            locations: [
              {
                physicalLocation: {
                  artifactLocation: inside
                    ? { uri: rel.split('/').map(encodeURIComponent).join('/'), uriBaseId: '%SRCROOT%' }
                    : { uri: pathToFileURL(f.file).href },
                  region: {
                    startLine: f.range.start.line + 1,
                    startColumn: f.range.start.character + 1,
                    endLine: f.range.end.line + 1,
                    endColumn: f.range.end.character + 1,
                  },
                },
              },
            ],
            ...(f.fixes.length > 0
              ? {
                  fixes: f.fixes.map((fx) => ({
                    description: { text: fx.title },
                    artifactChanges: [
                      {
                        artifactLocation: inside
                          ? { uri: rel, uriBaseId: '%SRCROOT%' }
                          : { uri: pathToFileURL(f.file).href },
                        replacements: fx.edits.map((e) => ({
                          deletedRegion: { charOffset: e.start, charLength: e.end - e.start },
                          insertedContent: { text: e.newText },
                        })),
                      },
                    ],
                  })),
                }
              : {}),
          };
        }),
      },
    ],
  };
}

export async function lintPaths(
  paths: string[],
  cwd: string,
  settings: LintSettings,
): Promise<{ findings: Finding[]; texts: Map<string, string> }> {
  const files = await collectFiles(paths, cwd);
  const texts = new Map<string, string>();
  // Read synchronously: a CLI run has nothing else to do meanwhile, and 3,000 awaited reads cost
  // more in round trips to the thread pool than the reads themselves.
  const large = new Map<string, number>();
  for (const f of files) {
    try {
      // A file over the analysis size limit is not read at all (one file-not-analysed finding);
      // only regular files are opened (a FIFO would block).
      const size = statSync(f).size;
      if (overSizeLimit(size, settings)) {
        large.set(f, size);
        texts.set(f, '');
      } else texts.set(f, readRegularFileSync(f).toString('utf8'));
    } catch (e) {
      throw new CliError(`cannot read '${relative(cwd, f) || f}': ${(e as Error).message}`);
    }
  }
  const models = files.map((f) =>
    large.has(f)
      ? tooLargeFile(f, large.get(f)!, settings)
      : analyzeFile(f, texts.get(f)!, undefined, settings),
  );
  const project = makeProject(models, { ...settings, workspaceRoot: cwd });
  return { findings: models.flatMap((m) => lintFile(m, project, settings)), texts };
}

async function explainHostCommand(
  target: string,
  paths: string[],
  io: CliIO,
  settings: LintSettings,
): Promise<number> {
  const want = resolve(io.cwd, target);
  const files = await collectFiles(paths, io.cwd);
  if (!files.includes(want))
    throw new CliError(`'${target}' is not among the .nix files of ${paths.join(' ')}`);
  const models = files.map((f) => {
    let text: string;
    try {
      text = readRegularFileSync(f).toString('utf8');
    } catch (e) {
      throw new CliError(`cannot read '${relative(io.cwd, f) || f}': ${(e as Error).message}`);
    }
    return analyzeFile(f, text, undefined, settings);
  });
  const project = makeProject(models, { ...settings, workspaceRoot: io.cwd });
  const model = models.find((m) => m.path === want)!;
  const rel = (p: string) => {
    const r = relative(io.cwd, p);
    return r.startsWith('..') ? p : r;
  };
  for (const line of explainHost(project, model, rel)) io.out(`${line}\n`);
  return 0;
}

/** The system under `root` as the rules see it (RuleContext.system); a clear error when it has no profile. */
function measure(root: string, profile: string | undefined, cwd: string): MeasuredSystem {
  try {
    const report = readGenerations({
      root: resolve(cwd, root),
      ...(profile !== undefined ? { profile } : {}),
    });
    return measuredSystem(report);
  } catch (e) {
    throw new CliError(`--root ${root}: ${(e as Error).message}`);
  }
}

export const lintCommand: CliCommand = {
  name: 'lint',
  summary: 'lint NixOS configuration for boot foot-guns (text, JSON or SARIF)',
  usage: [
    'Usage: nixboot lint [--format text|json|sarif] [--fix] [--nixos-release YY.MM] [--rule ID=SEVERITY] [--root DIR [--profile PATH]] PATH...',
    '       nixboot lint --explain-host FILE [PATH...]',
    '',
    'Lints .nix files (directories are walked) as one configuration.',
    '  --format text|json|sarif  output format (default text); JSON positions are 0-based LSP positions',
    '  --fix                     apply the safe fixes in place, then report what is left',
    '  --nixos-release YY.MM     NixOS release when no flake.lock tells it (decides which stage 1 is the default)',
    '  --max-file-size MIB       larger files are not analysed, with one file-not-analysed finding (default 2)',
    '  --rule ID=SEVERITY        override a rule: off, hint, info, warning, error (repeatable)',
    '  --root DIR                measure the system under DIR (/ for this machine, /mnt for a mounted one): its',
    '                            profile and /boot, for rules that judge the configuration against them',
    '                            (boot-partition-budget); without it they say nothing',
    '  --profile PATH            its system profile (default /nix/var/nix/profiles/system)',
    '  --explain-host FILE       print the host FILE is judged for (its files, what could not be read, its stage 1)',
    '                            among the files of PATH (default: the current directory), instead of findings',
    '',
    'Exit status: 0 no error-severity finding, 1 at least one, 2 usage or I/O error.',
    `Rules: ${RULES.map((r) => r.id).join(', ')} (nixboot explain RULE)`,
  ].join('\n'),
  async run(args: string[], io: CliIO): Promise<number> {
    const a = parseArgs(args);
    const system = a.root !== undefined ? measure(a.root, a.profile, io.cwd) : undefined;
    const settings: LintSettings = {
      rules: a.settings.rules,
      ...(a.settings.nixosRelease ? { nixosRelease: a.settings.nixosRelease } : {}),
      ...(a.settings.maxFileBytes ? { maxFileBytes: a.settings.maxFileBytes } : {}),
      ...(system ? { system } : {}),
    };
    if (a.explainHost !== undefined) return explainHostCommand(a.explainHost, a.paths, io, settings);
    let { findings, texts } = await lintPaths(a.paths, io.cwd, settings);
    if (a.fix) {
      const byFile = new Map<string, Finding[]>();
      for (const f of findings) {
        const safe = f.fixes.find((x) => x.safe);
        if (safe) byFile.set(f.file, [...(byFile.get(f.file) ?? []), f]);
      }
      for (const [file, fs] of byFile) {
        const edits = fs.flatMap((f) => f.fixes.find((x) => x.safe)!.edits);
        await writeFile(file, applyEdits(texts.get(file)!, edits));
      }
      if (byFile.size > 0) ({ findings, texts } = await lintPaths(a.paths, io.cwd, settings));
    }
    const located = locate(findings, texts);
    if (a.format === 'json') {
      io.out(
        `${JSON.stringify(
          {
            findings: located.map((f) => ({
              file: relative(io.cwd, f.file) || f.file,
              rule: f.rule,
              severity: f.severity,
              message: f.message,
              range: f.range,
            })),
          },
          null,
          2,
        )}\n`,
      );
    } else if (a.format === 'sarif') {
      io.out(`${JSON.stringify(toSarif(located, io.cwd), null, 2)}\n`);
    } else {
      for (const f of located) {
        const rel = relative(io.cwd, f.file);
        io.out(
          `${printable(rel.startsWith('..') ? f.file : rel)}:${f.range.start.line + 1}:${f.range.start.character + 1}: ${f.severity} [${f.rule}] ${printable(f.message)}\n`,
        );
      }
      const errors = located.filter((f) => f.severity === 'error').length;
      io.out(located.length === 0 ? 'No findings.\n' : `${located.length} finding(s), ${errors} error(s).\n`);
    }
    return located.some((f) => f.severity === 'error') ? 1 : 0;
  },
};

export const explainCommand: CliCommand = {
  name: 'explain',
  summary: 'print the documentation of a rule',
  usage: 'Usage: nixboot explain RULE\n\nPrints what a lint rule finds, why it matters, and what to do.',
  async run(args: string[], io: CliIO): Promise<number> {
    if (args.length !== 1) throw new CliError('expected exactly one RULE');
    const rule = ruleById(args[0]!);
    if (!rule) throw new CliError(`unknown rule '${args[0]}' (rules: ${RULES.map((r) => r.id).join(', ')})`);
    io.out(renderRuleDoc(rule));
    return 0;
  },
};
