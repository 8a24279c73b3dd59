// The engine's facade for linting: plain data in (file paths and texts, settings), plain findings
// out (offsets, rule ids, fixes). The LSP server and the CLI are thin front ends over this.
import { dirname } from 'node:path';
import { collectDefinitions, matchPath, pattern, type Definition } from './nixos/definitions';
import { hostScopes, moduleRefs, type ModuleRefs } from './nixos/hosts';
import { effectiveStageOne, type StageOne } from './nixos/release';
import { RULES, ruleById } from './rules/index';
import type { FileModel, Finding, ProjectModel, Rule, RuleContext, Severity, SeveritySetting } from './rules/types';
import { notNixText, opaqueContent } from './syntax/classify';
import { reparse } from './syntax/incremental';
import { parse } from './syntax/index';
import { opaqueTree } from './syntax/parser';

export interface LintSettings {
  /** `nixboot.rules.<id>`: severity override or 'off'. */
  readonly rules?: Readonly<Record<string, SeveritySetting>>;
  /** `nixboot.nixosRelease`, e.g. "25.11". */
  readonly nixosRelease?: string;
  /** Workspace root: the flake.lock search stops there. */
  readonly workspaceRoot?: string;
  /** `nixboot.lint.maxFileSizeMiB` (in bytes here): larger files are not analysed (DEFAULT_MAX_FILE_BYTES). */
  readonly maxFileBytes?: number;
}

/**
 * Files larger than this are not analysed (one file-not-analysed finding instead). NixOS
 * configuration files are far smaller; analysing costs about 1 s and 100 MB per MB of Nix, so the
 * limit bounds the time and memory one file can take (bench/RESULTS.md, "lint").
 */
export const DEFAULT_MAX_FILE_BYTES = 2 * 1024 * 1024;

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
export function tooLargeFile(path: string, bytes: number, settings: Pick<LintSettings, 'maxFileBytes'> = {}): FileModel {
  return unanalysed(path, '', tooLargeMessage(bytes, settings.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES));
}

export function analyzeFile(path: string, text: string, previous?: FileModel, settings: Pick<LintSettings, 'maxFileBytes'> = {}): FileModel {
  const limit = settings.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  // UTF-8 takes at least one byte per UTF-16 unit: only long texts need counting.
  if (text.length > limit || (text.length * 3 > limit && Buffer.byteLength(text, 'utf8') > limit)) {
    return unanalysed(path, text, tooLargeMessage(Buffer.byteLength(text, 'utf8'), limit));
  }
  const opaque = opaqueContent(text);
  if (opaque) return unanalysed(path, text, opaque.message);
  const { root, errors } = previous && previous.path === path && !previous.notAnalysed ? reparse(previous, text) : parse(text);
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

function buildProject(files: readonly FileModel[], settings: LintSettings): ProjectModel {
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
  });
  return { files, stageOne, definitions };
}

const refsCache = new WeakMap<FileModel, ModuleRefs>();
const scopers = new WeakMap<ProjectModel, (file: FileModel) => ProjectModel>();

function refsOf(file: FileModel): ModuleRefs {
  let r = refsCache.get(file);
  if (!r) refsCache.set(file, (r = moduleRefs(file.path, file.root, file.text)));
  return r;
}

/**
 * The files linted together. Project-level rules see, for each file, only the files of its own
 * host(s) (nixos/hosts.ts): in a multi-host repository, one machine's hardware configuration says
 * nothing about another's.
 */
export function makeProject(files: readonly FileModel[], settings: LintSettings = {}): ProjectModel {
  const project = buildProject(files, settings);
  let scopes: Array<readonly number[]> | undefined | null = null;
  const scoped = new Map<string, ProjectModel>();
  let index: Map<FileModel, number> | undefined;
  scopers.set(project, (file) => {
    if (scopes === null) scopes = hostScopes(files.map((f) => f.path), files.map(refsOf));
    if (!scopes) return project;
    index ??= new Map(files.map((f, i) => [f, i]));
    const i = index.get(file);
    const scope = i === undefined ? undefined : scopes[i];
    if (!scope || scope.length === files.length) return project;
    const key = scope.join(',');
    let p = scoped.get(key);
    if (!p) scoped.set(key, (p = buildProject(scope.map((k) => files[k]!), settings)));
    return p;
  });
  return project;
}

/** The project as `file`'s host sees it (the whole project when hosts cannot be told apart). */
export function projectFor(project: ProjectModel, file: FileModel): ProjectModel {
  return scopers.get(project)?.(file) ?? project;
}

const SUPPRESS_RE = /#\s*nixboot:\s*ignore\b([^\n]*)/;

/** `# nixboot: ignore rule-id[, other-id]` on the finding's line or the line above. */
function suppressed(text: string, offset: number, rule: string): boolean {
  const lineStart = text.lastIndexOf('\n', Math.max(0, offset - 1)) + 1;
  const lineEnd = text.indexOf('\n', offset);
  const prevStart = lineStart > 0 ? text.lastIndexOf('\n', lineStart - 2) + 1 : lineStart;
  for (const line of [text.slice(lineStart, lineEnd < 0 ? text.length : lineEnd), lineStart > 0 ? text.slice(prevStart, lineStart - 1) : '']) {
    const m = SUPPRESS_RE.exec(line);
    if (!m) continue;
    const ids = m[1]!.split(/[\s,]+/).filter((s) => /^[a-z0-9-]+$/.test(s));
    if (ids.length === 0 || ids.includes(rule)) return true;
  }
  return false;
}

function effectiveSeverity(rule: Rule, settings: LintSettings, reported: Severity | undefined): SeveritySetting {
  const configured = settings.rules?.[rule.id];
  if (configured) return configured;
  return reported ?? rule.severity;
}

/** Lints one file of a project. Rules that throw are reported on stderr and skipped, never fatal. */
export function lintFile(file: FileModel, whole: ProjectModel, settings: LintSettings = {}, rules: readonly Rule[] = RULES): Finding[] {
  const findings: Finding[] = [];
  const project = projectFor(whole, file);
  for (const rule of rules) {
    if (settings.rules?.[rule.id] === 'off') continue;
    const ctx: RuleContext = {
      file,
      project,
      definitions: (dotted) => fileDefinitions(file, dotted).slice(),
      report: (f) => {
        const severity = effectiveSeverity(rule, settings, f.severity);
        if (severity === 'off') return;
        if (suppressed(file.text, f.start, rule.id)) return;
        findings.push({ rule: rule.id, severity, file: file.path, start: f.start, end: f.end, message: f.message, fixes: f.fixes ?? [] });
      },
    };
    try {
      rule.check(ctx);
    } catch (e) {
      console.error(`nixboot: rule ${rule.id} failed on ${file.path}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    }
  }
  findings.sort((a, b) => a.start - b.start || a.rule.localeCompare(b.rule));
  return findings;
}

/** Convenience: lint texts as one project. */
export function lintTexts(inputs: ReadonlyArray<{ path: string; text: string }>, settings: LintSettings = {}): Finding[] {
  const files = inputs.map((i) => analyzeFile(i.path, i.text));
  const project = makeProject(files, settings);
  return files.flatMap((f) => lintFile(f, project, settings));
}

export { RULES, ruleById };
