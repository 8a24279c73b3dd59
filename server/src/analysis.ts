// The engine's facade for linting: plain data in (file paths and texts, settings), plain findings
// out (offsets, rule ids, fixes). The LSP server and the CLI are thin front ends over this.
import { dirname } from 'node:path';
import { collectDefinitions, matchPath, pattern, type Definition } from './nixos/definitions';
import {
  hostGraph,
  moduleRefs,
  wholeHost,
  type HostInfo,
  type HostMember,
  type ModuleRefs,
} from './nixos/hosts';
import { effectiveStageOne, type StageOne } from './nixos/release';
import { RULES, ruleById } from './rules/index';
import type {
  FileModel,
  Finding,
  ProjectModel,
  Rule,
  RuleContext,
  Severity,
  SeveritySetting,
} from './rules/types';
import { notNixText, opaqueContent } from './syntax/classify';
import { reparse } from './syntax/incremental';
import { parse } from './syntax/index';
import { opaqueTree } from './syntax/parser';
import type { MeasuredSystem } from './system/bootBudget';

export interface LintSettings {
  /** `nixboot.rules.<id>`: severity override or 'off'. */
  readonly rules?: Readonly<Record<string, SeveritySetting>>;
  /** `nixboot.nixosRelease`, e.g. "25.11". */
  readonly nixosRelease?: string;
  /** Workspace root: the flake.lock search stops there. */
  readonly workspaceRoot?: string;
  /** `nixboot.lint.maxFileSizeMiB` (in bytes here): larger files are not analysed (DEFAULT_MAX_FILE_BYTES). */
  readonly maxFileBytes?: number;
  /** The machine measured for this lint (RuleContext.system): given by the front end, never read here. */
  readonly system?: MeasuredSystem;
}

/**
 * Files larger than this are not analysed (one file-not-analysed finding instead). NixOS
 * configuration files are far smaller; analysing costs about 1 s and 100 MB per MB of Nix, so the
 * limit bounds the time and memory one file can take (bench/RESULTS.md, "lint").
 */
const DEFAULT_MAX_FILE_BYTES = 2 * 1024 * 1024;

function mebibytes(bytes: number): string {
  const mib = bytes / (1024 * 1024);
  return `${mib >= 10 ? mib.toFixed(0) : mib.toFixed(2).replace(/\.?0+$/, '')} MiB`;
}

function unanalysed(path: string, text: string, why: string): FileModel {
  return { path, text, root: opaqueTree(text), errors: [], definitions: [], notAnalysed: why };
}

/**
 * Parses and resolves one file. With `previous` (the model of an earlier version of the same
 * file), an edit inside one binding reparses only that binding (syntax/incremental.ts); the
 * previous model's tree is reused in place, so `previous` must not be used afterwards.
 */
function tooLargeMessage(bytes: number, limit: number): string {
  return `the file is ${mebibytes(bytes)}, over the ${mebibytes(limit)} limit for analysis (setting \`nixboot.lint.maxFileSizeMiB\`, \`nixboot lint --max-file-size MIB\`).`;
}

/** Whether a file of `bytes` bytes is over the analysis size limit (then see tooLargeFile). */
export function overSizeLimit(bytes: number, settings: Pick<LintSettings, 'maxFileBytes'> = {}): boolean {
  return bytes > (settings.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES);
}

/** The model of a file over the size limit, made without reading it (its text is left empty). */
export function tooLargeFile(
  path: string,
  bytes: number,
  settings: Pick<LintSettings, 'maxFileBytes'> = {},
): FileModel {
  return unanalysed(path, '', tooLargeMessage(bytes, settings.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES));
}

export function analyzeFile(
  path: string,
  text: string,
  previous?: FileModel,
  settings: Pick<LintSettings, 'maxFileBytes'> = {},
): FileModel {
  const limit = settings.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  // UTF-8 takes at least one byte per UTF-16 unit: only long texts need counting.
  if (text.length > limit || (text.length * 3 > limit && Buffer.byteLength(text, 'utf8') > limit)) {
    return unanalysed(path, text, tooLargeMessage(Buffer.byteLength(text, 'utf8'), limit));
  }
  const opaque = opaqueContent(text);
  if (opaque) return unanalysed(path, text, opaque.message);
  const { root, errors } =
    previous && previous.path === path && !previous.notAnalysed ? reparse(previous, text) : parse(text);
  const other = errors.length > 0 ? notNixText(text, root, errors) : undefined;
  if (other) return { path, text, root, errors: [], definitions: [], notAnalysed: other.message };
  let definitions: Definition[] = [];
  try {
    definitions = collectDefinitions(root, text);
  } catch (e) {
    // Resolution is best effort on broken trees; the syntax errors are still reported.
    definitions = [];
    if (process.env.NIXBOOT_DEBUG) console.error(`nixboot: option resolution failed on ${path}:`, e);
  }
  return { path, text, root, errors, definitions };
}

function literalBool(n: Definition['value']): boolean | undefined {
  if (n.kind !== 'Ident') return undefined;
  const t = n.children.find((c) => c.type === 'token' && c.kind === 'ident');
  if (!t || t.type !== 'token') return undefined;
  return t.text === 'true' ? true : t.text === 'false' ? false : undefined;
}

const fileQueries = new WeakMap<FileModel, Map<string, Definition[]>>();
type DefinitionIndex = Map<string, { all: Definition[]; bySecond: Map<string, Definition[]> }>;
const fileIndexes = new WeakMap<FileModel, DefinitionIndex>();

function indexOf(file: FileModel): DefinitionIndex {
  let index = fileIndexes.get(file);
  if (!index) {
    index = new Map();
    for (const d of file.definitions) {
      const first = d.path[0] ?? '';
      let bucket = index.get(first);
      if (!bucket) index.set(first, (bucket = { all: [], bySecond: new Map() }));
      bucket.all.push(d);
      const second = d.path[1] ?? '';
      let sub = bucket.bySecond.get(second);
      if (!sub) bucket.bySecond.set(second, (sub = []));
      sub.push(d);
    }
    fileIndexes.set(file, index);
  }
  return index;
}

const NONE = Object.freeze([]) as unknown as Definition[];

/** Definitions of one file whose path matches the dotted pattern; indexed by first two names, memoised per pattern. */
export function fileDefinitions(file: FileModel, dotted: string): Definition[] {
  let queries = fileQueries.get(file);
  if (!queries) fileQueries.set(file, (queries = new Map()));
  let hit = queries.get(dotted);
  if (hit) return hit;
  const p = pattern(dotted);
  let pool: readonly Definition[];
  if (p[0] === '*') pool = file.definitions;
  else {
    const bucket = indexOf(file).get(p[0]!);
    pool = !bucket ? NONE : p.length < 2 || p[1] === '*' ? bucket.all : (bucket.bySecond.get(p[1]!) ?? NONE);
  }
  hit = pool.length === 0 ? NONE : pool.filter((d) => matchPath(d.path, p));
  queries.set(dotted, hit);
  return hit;
}

function buildProject(files: readonly FileModel[], settings: LintSettings, host: HostInfo): ProjectModel {
  const cache = new Map<string, Array<{ file: FileModel; def: Definition }>>();
  const definitions = (dotted: string) => {
    let hit = cache.get(dotted);
    if (!hit) {
      hit = [];
      for (const file of files) for (const def of fileDefinitions(file, dotted)) hit.push({ file, def });
      cache.set(dotted, hit);
    }
    return hit;
  };
  const explicit = definitions('boot.initrd.systemd.enable')
    .filter(({ def }) => !def.conditional)
    .flatMap(({ file, def }) => {
      const v = literalBool(def.value);
      return v === undefined ? [] : [{ value: v, file: file.path }];
    });
  const first = files.find((f) => f.path.startsWith('/'));
  const stageOne: StageOne = effectiveStageOne({
    explicit,
    ...(first ? { fileDir: dirname(first.path) } : {}),
    ...(settings.workspaceRoot ? { workspaceRoot: settings.workspaceRoot } : {}),
    ...(settings.nixosRelease ? { releaseSetting: settings.nixosRelease } : {}),
    ...(host.inputs.length === 1 ? { input: host.inputs[0]! } : {}),
  });
  return { files, stageOne, definitions, host };
}

const refsCache = new WeakMap<FileModel, ModuleRefs>();
const scopers = new WeakMap<ProjectModel, (file: FileModel) => ProjectModel>();

function refsOf(file: FileModel): ModuleRefs {
  let r = refsCache.get(file);
  if (!r) refsCache.set(file, (r = moduleRefs(file.path, file.root, file.text)));
  return r;
}

/** The part of a file a host includes: its whole, or only some of its `modules = [ … ]` lists' inline modules. */
function memberView(file: FileModel, m: HostMember): FileModel {
  const parts = m.parts;
  if (!parts) return file;
  const lists = refsOf(file).moduleLists;
  const partOf = (offset: number): number => {
    for (let k = lists.length - 1; k >= 0; k--)
      if (offset >= lists[k]!.start && offset < lists[k]!.end) return k;
    return -1;
  };
  return { ...file, definitions: file.definitions.filter((d) => parts.has(partOf(d.binding.start))) };
}

/**
 * The files linted together. Rules see, for each file, only the files of its own host(s)
 * (nixos/hosts.ts): in a multi-host repository, one machine's hardware configuration says nothing
 * about another's; `project.host` says which host that is and whether all of it was read.
 */
export function makeProject(files: readonly FileModel[], settings: LintSettings = {}): ProjectModel {
  const project = buildProject(files, settings, wholeHost(files.map((f) => f.path)));
  let graph: ReturnType<typeof hostGraph> | undefined;
  const scoped = new Map<string, ProjectModel>();
  let index: Map<FileModel, number> | undefined;
  scopers.set(project, (file) => {
    graph ??= hostGraph(
      files.map((f) => f.path),
      files.map(refsOf),
      settings.workspaceRoot,
    );
    index ??= new Map(files.map((f, i) => [f, i]));
    const i = index.get(file);
    const h = i === undefined ? undefined : graph.hostOf[i];
    if (!h) return project;
    let p = scoped.get(h.key);
    if (!p) {
      // One host of every file, whole: the project itself, with the host's information (no second pass over the files).
      const all =
        h.members.length === files.length &&
        h.members.every((m, k) => m.index === k && !m.parts) &&
        h.info.inputs.length === 0;
      p = all
        ? { ...project, host: h.info }
        : buildProject(
            h.members.map((m) => memberView(files[m.index]!, m)),
            settings,
            h.info,
          );
      scoped.set(h.key, p);
    }
    return p;
  });
  return project;
}

/** The project as `file`'s host sees it (the whole project when the file is not one of it). */
export function projectFor(project: ProjectModel, file: FileModel): ProjectModel {
  return scopers.get(project)?.(file) ?? project;
}

const SUPPRESS_RE = /#\s*nixboot:\s*ignore\b([^\n]*)/;

/** `# nixboot: ignore rule-id[, other-id]` on the finding's line or the line above. */
function suppressed(text: string, offset: number, rule: string): boolean {
  const lineStart = text.lastIndexOf('\n', Math.max(0, offset - 1)) + 1;
  const lineEnd = text.indexOf('\n', offset);
  const prevStart = lineStart > 0 ? text.lastIndexOf('\n', lineStart - 2) + 1 : lineStart;
  for (const line of [
    text.slice(lineStart, lineEnd < 0 ? text.length : lineEnd),
    lineStart > 0 ? text.slice(prevStart, lineStart - 1) : '',
  ]) {
    const m = SUPPRESS_RE.exec(line);
    if (!m) continue;
    const ids = m[1]!.split(/[\s,]+/).filter((s) => /^[a-z0-9-]+$/.test(s));
    if (ids.length === 0 || ids.includes(rule)) return true;
  }
  return false;
}

function effectiveSeverity(
  rule: Rule,
  settings: LintSettings,
  reported: Severity | undefined,
): SeveritySetting {
  const configured = settings.rules?.[rule.id];
  if (configured) return configured;
  return reported ?? rule.severity;
}

/** Lints one file of a project. Rules that throw are reported on stderr and skipped, never fatal. */
export function lintFile(
  file: FileModel,
  whole: ProjectModel,
  settings: LintSettings = {},
  rules: readonly Rule[] = RULES,
): Finding[] {
  const findings: Finding[] = [];
  const project = projectFor(whole, file);
  for (const rule of rules) {
    if (settings.rules?.[rule.id] === 'off') continue;
    const ctx: RuleContext = {
      file,
      project,
      ...(settings.system ? { system: settings.system } : {}),
      definitions: (dotted) => fileDefinitions(file, dotted).slice(),
      report: (f) => {
        const severity = effectiveSeverity(rule, settings, f.severity);
        if (severity === 'off') return;
        if (suppressed(file.text, f.start, rule.id)) return;
        findings.push({
          rule: rule.id,
          severity,
          file: file.path,
          start: f.start,
          end: f.end,
          message: f.message,
          fixes: f.fixes ?? [],
        });
      },
    };
    try {
      rule.check(ctx);
    } catch (e) {
      console.error(
        `nixboot: rule ${rule.id} failed on ${file.path}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`,
      );
    }
  }
  findings.sort((a, b) => a.start - b.start || a.rule.localeCompare(b.rule));
  return findings;
}

/** Convenience: lint texts as one project. */
export function lintTexts(
  inputs: ReadonlyArray<{ path: string; text: string }>,
  settings: LintSettings = {},
): Finding[] {
  const files = inputs.map((i) => analyzeFile(i.path, i.text));
  const project = makeProject(files, settings);
  return files.flatMap((f) => lintFile(f, project, settings));
}

export { RULES, ruleById };

/**
 * Which host `file` is judged for, in lines of plain text (Markdown-friendly): its name, its files,
 * what could not be read, the NixOS modules it imports, and how its stage 1 was decided. Used by the
 * hover and by `nixboot lint --explain-host FILE`.
 */
export function explainHost(
  whole: ProjectModel,
  file: FileModel,
  rel: (p: string) => string = (p) => p,
): string[] {
  const p = projectFor(whole, file);
  const h = p.host;
  const out: string[] = [];
  if (!h.placed) {
    out.push(
      `No host includes ${rel(file.path)}: no nixosSystem modules list, configuration.nix or other root file reaches it (a dead file, or a module others import from outside the linted files).`,
    );
    out.push('Rules that claim something is absent from a host stay quiet on it.');
    return out;
  }
  out.push(`Host: ${h.name}`);
  out.push(
    `Stage 1: ${p.stageOne.systemd === undefined ? 'unknown' : p.stageOne.systemd ? 'systemd' : 'scripted'} — ${p.stageOne.reason}`,
  );
  out.push(`Files (${h.files.length}): ${h.files.map(rel).join(', ')}`);
  if (h.open) {
    out.push(
      `Open: ${h.unreadable.length} module reference(s) could not be read, so no rule claims that a setting is absent from this host:`,
    );
    for (const u of h.unreadable.slice(0, 20)) out.push(`  - ${u}`);
    if (h.unreadable.length > 20) out.push(`  - … and ${h.unreadable.length - 20} more`);
  } else out.push('Closed: every module it includes was read.');
  if (h.nixpkgsModules.length > 0) out.push(`NixOS modules imported: ${h.nixpkgsModules.join(', ')}`);
  if (h.inputs.length > 0) out.push(`Built with: ${h.inputs.map((i) => `${i}.lib.nixosSystem`).join(', ')}`);
  return out;
}
