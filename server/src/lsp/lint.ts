// The linter in the language server: diagnostics for open documents (debounced, one file at a
// time) and for every .nix file of the workspace in the background; code actions for the fixes;
// hovers on findings; `nixboot.rules.<id>` and `nixboot.nixosRelease` settings.
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  CodeActionKind,
  DiagnosticSeverity,
  DiagnosticTag,
  type CodeAction,
  type Diagnostic,
  type DidChangeWatchedFilesParams,
  type ServerCapabilities,
} from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { explainHost, lintFile, projectFor, ruleById, type LintSettings } from '../analysis';
import { isNixDocument } from './analysisHost';
import { StageOneRequest } from '../protocol';
import { onRequest } from './typed';
import { analyzeShellOffThread } from '../shell/offThread';
import { scriptFromString } from '../shell/source';
import type { SyntaxNode } from '../syntax/tree';
import { renderRuleHover } from '../rules/docs';
import type { FileModel, Finding, ProjectModel, Severity } from '../rules/types';
import type { MeasuredSystem } from '../system/bootBudget';
import { lineStarts, positionAt } from '../text';
import { tooLargeToAnalyse, type ServerEnv } from './env';

const DEBOUNCE_MS = 120;
const MAX_WORKSPACE_FILES = 5000;
const yieldToEventLoop = (): Promise<void> => new Promise((r) => setImmediate(r));
const SKIP_DIRS = new Set(['.git', 'node_modules', '.direnv', 'result', '.jj', '.cache']);

function toLspSeverity(s: Severity): DiagnosticSeverity {
  return s === 'error'
    ? DiagnosticSeverity.Error
    : s === 'warning'
      ? DiagnosticSeverity.Warning
      : s === 'info'
        ? DiagnosticSeverity.Information
        : DiagnosticSeverity.Hint;
}

/** Strings at least this long have their shell analysis made on the worker thread before linting. */
const OFF_THREAD_MIN_CHARS = 16 * 1024;

/**
 * Analyses the large strings of a file as shell on the worker thread (shell/offThread.ts), so the
 * rules, which analyse synchronously, find the results memoised and one big script never blocks
 * the server. Rejects with an AbortError when `signal` aborts (a newer edit of the document).
 */
async function analyseLargeScripts(model: FileModel, signal?: AbortSignal): Promise<void> {
  const big: SyntaxNode[] = [];
  const stack: SyntaxNode[] = [model.root];
  while (stack.length > 0) {
    const n = stack.pop()!;
    if ((n.kind === 'String' || n.kind === 'IndString') && n.end - n.start >= OFF_THREAD_MIN_CHARS) {
      big.push(n);
      continue;
    }
    for (const c of n.children) if (c.type === 'node') stack.push(c);
  }
  for (const n of big) {
    try {
      await analyzeShellOffThread(scriptFromString(n).text, signal);
    } catch (e) {
      if ((e as Error).name === 'AbortError') throw e;
      // A failed worker: the rules analyse the script themselves.
    }
    await yieldToEventLoop();
  }
}

/**
 * The machine the rules may judge against (its /boot budget, RuleContext.system): the generations
 * feature measures `nixboot.systemRoot`. Undefined when nothing could be measured.
 */
let measuredSystem: () => MeasuredSystem | undefined = () => undefined;
export function setMeasuredSystemSource(source: () => MeasuredSystem | undefined): void {
  measuredSystem = source;
}

/** The lint settings with the measured machine, for every lint of a file (diagnostics and code lenses alike). */
export function settingsWithSystem(settings: LintSettings): LintSettings {
  let system: MeasuredSystem | undefined;
  try {
    system = measuredSystem();
  } catch {
    system = undefined; // unreadable: rules that need it say nothing
  }
  return system ? { ...settings, system } : settings;
}

export function lintFeature(env: ServerEnv): Partial<ServerCapabilities> {
  const { connection, documents } = env;
  const host = env.analysis;
  const disk = host.disk;
  /** Latest findings per URI (for code actions and hovers). */
  const findingsByUri = new Map<string, { version: number | undefined; findings: Finding[] }>();
  const timers = new Map<string, NodeJS.Timeout>();
  let indexing: Promise<void> | undefined;

  const settings = (): LintSettings => host.settings();
  const modelOf = (doc: TextDocument): FileModel => host.model(doc);
  const project = (): ProjectModel => host.project();

  const publish = async (
    uri: string,
    model: FileModel,
    version: number | undefined,
    text: TextDocument | undefined,
  ): Promise<void> => {
    const proj = project();
    const findings = lintFile(model, proj, settingsWithSystem(settings()));
    findingsByUri.set(uri, { version, findings });
    const starts = text ? undefined : lineStarts(model.text);
    const pos = (o: number) => (text ? text.positionAt(o) : positionAt(starts!, o));
    const diagnostics: Diagnostic[] = findings.map((f) => ({
      range: { start: pos(f.start), end: pos(f.end) },
      severity: toLspSeverity(f.severity),
      code: f.rule,
      codeDescription: { href: `https://github.com/nixboot/nixboot/blob/main/docs/rules/${f.rule}.md` },
      source: 'nixboot',
      message: f.message,
      ...(f.rule === 'unknown-boot-option' ? { tags: [DiagnosticTag.Unnecessary] } : {}),
    }));
    await connection.sendDiagnostics({ uri, ...(version !== undefined ? { version } : {}), diagnostics });
  };

  /** The pending lint of each document: a newer one cancels it (and its shell analyses). */
  const pending = new Map<string, AbortController>();
  const lintDocument = async (doc: TextDocument): Promise<void> => {
    // Other documents are open for other features (flake.lock for its code lenses): not Nix.
    if (!isNixDocument(doc)) return;
    pending.get(doc.uri)?.abort();
    const version = doc.version;
    // Over the size limit, analyzeFile gives the one file-not-analysed finding without parsing.
    const model = modelOf(doc);
    const ctl = new AbortController();
    pending.set(doc.uri, ctl);
    try {
      await analyseLargeScripts(model, ctl.signal);
    } catch {
      return; // cancelled by a newer edit, whose lint follows
    } finally {
      if (pending.get(doc.uri) === ctl) pending.delete(doc.uri);
    }
    if (ctl.signal.aborted || doc.version !== version || documents.get(doc.uri) !== doc) return;
    host.invalidate();
    await publish(doc.uri, model, doc.version, doc);
  };

  const schedule = (doc: TextDocument): void => {
    const t = timers.get(doc.uri);
    if (t) clearTimeout(t);
    timers.set(
      doc.uri,
      setTimeout(() => {
        timers.delete(doc.uri);
        const current = documents.get(doc.uri);
        if (current) void lintDocument(current).catch((e) => connection.console.error(String(e)));
      }, DEBOUNCE_MS),
    );
  };

  documents.onDidOpen(
    (e) => void lintDocument(e.document).catch((err) => connection.console.error(String(err))),
  );
  documents.onDidChangeContent((e) => schedule(e.document));
  documents.onDidClose((e) => {
    const t = timers.get(e.document.uri);
    if (t) clearTimeout(t);
    pending.get(e.document.uri)?.abort();
    host.invalidate();
    // Keep showing the on-disk file's findings (the workspace pass covers closed files).
    const path = e.document.uri.startsWith('file:') ? fileURLToPath(e.document.uri) : undefined;
    const model = path ? disk.get(path) : undefined;
    if (model) void publish(e.document.uri, model, undefined, undefined);
    else void connection.sendDiagnostics({ uri: e.document.uri, diagnostics: [] });
  });

  /** Background pass over the workspace: index every .nix file, then publish for closed ones. */
  const indexWorkspace = async (roots: readonly string[]): Promise<void> => {
    const files: string[] = [];
    const walk = async (dir: string, depth: number): Promise<void> => {
      if (depth > 32 || files.length >= MAX_WORKSPACE_FILES) return;
      let entries;
      try {
        entries = await readdir(dir, { withFileTypes: true });
      } catch {
        return;
      }
      for (const e of entries) {
        if (e.isDirectory() && !SKIP_DIRS.has(e.name)) await walk(join(dir, e.name), depth + 1);
        else if (e.isFile() && e.name.endsWith('.nix')) files.push(join(dir, e.name));
      }
    };
    for (const folder of roots) await walk(folder, 0);
    for (const f of files) {
      try {
        const model = await host.readDiskFile(f); // unreadable files are skipped
        if (model) await analyseLargeScripts(model);
      } catch {
        // a failed worker: the rules analyse the scripts themselves
      }
      await new Promise((r) => setImmediate(r)); // keep the server responsive
    }
    host.invalidate();
    const open = new Set(documents.all().map((d) => d.uri));
    for (const [path, model] of disk) {
      const uri = pathToFileURL(path).href;
      if (open.has(uri)) continue;
      await publish(uri, model, undefined, undefined);
      await new Promise((r) => setImmediate(r));
    }
    // Open documents may depend on facts from other files (e.g. initrdBin set elsewhere).
    for (const doc of documents.all()) {
      await lintDocument(doc);
      await yieldToEventLoop();
    }
  };

  env.onInitialized(() => {
    indexing = indexWorkspace(env.workspaceFolders()).catch((e) =>
      connection.console.error(`nixboot: workspace scan failed: ${String(e)}`),
    );
  });

  // A folder added to the workspace is scanned as the first ones were; a removed folder's files
  // on disk are forgotten, with their findings (open documents keep theirs).
  env.onWorkspaceFoldersChanged((added, removed) => {
    const open = new Set(documents.all().map((d) => d.uri));
    const kept = (path: string) => env.workspaceFolders().some((f) => path.startsWith(`${f}/`));
    for (const root of removed) {
      for (const path of [...disk.keys()]) {
        // A file of a folder that is still open (nested folders) stays.
        if (!path.startsWith(`${root}/`) || kept(path)) continue;
        host.forgetDiskFile(path);
        const uri = pathToFileURL(path).href;
        if (open.has(uri)) continue;
        findingsByUri.delete(uri);
        void connection.sendDiagnostics({ uri, diagnostics: [] });
      }
    }
    host.invalidate();
    if (added.length === 0) return;
    indexing = (indexing ?? Promise.resolve())
      .then(() => indexWorkspace(added))
      .catch((e) => connection.console.error(`nixboot: workspace scan failed: ${String(e)}`));
  });

  const watchedFilesChanged = async (params: DidChangeWatchedFilesParams): Promise<void> => {
    for (const change of params.changes) {
      if (!change.uri.startsWith('file:') || !change.uri.endsWith('.nix')) continue;
      const path = fileURLToPath(change.uri);
      if (change.type === 3) {
        host.forgetDiskFile(path);
        await connection.sendDiagnostics({ uri: change.uri, diagnostics: [] });
        continue;
      }
      // Never open() a FIFO or device (four blocked opens starve Node's file-I/O pool); over
      // the size limit, not read at all (AnalysisHost.readDiskFile).
      const read = await host.readDiskFile(path);
      if (read) await analyseLargeScripts(read).catch(() => undefined);
      if (documents.get(change.uri)) continue;
      // A file that cannot be read (gone, not a regular file, too large) has no findings.
      const model = disk.get(path);
      try {
        if (model) await publish(change.uri, model, undefined, undefined);
        else await connection.sendDiagnostics({ uri: change.uri, diagnostics: [] });
      } catch (e) {
        connection.console.error(
          `nixboot: linting ${path} failed: ${e instanceof Error ? e.message : String(e)}`,
        );
      }
    }
  };
  // The connection does not await notification handlers: a failure is logged here, not left to
  // the process's unhandledRejection handler.
  connection.onDidChangeWatchedFiles((params) => {
    watchedFilesChanged(params).catch((e) =>
      connection.console.error(
        `nixboot: watched-file update failed: ${e instanceof Error ? e.message : String(e)}`,
      ),
    );
  });

  env.onSettingsChanged(() => {
    host.invalidate();
    void (async () => {
      await indexing;
      const open = new Set<string>();
      for (const doc of documents.all()) {
        open.add(doc.uri);
        await lintDocument(doc);
        await yieldToEventLoop();
      }
      for (const [path, model] of disk) {
        const uri = pathToFileURL(path).href;
        if (!open.has(uri)) await publish(uri, model, undefined, undefined);
        await yieldToEventLoop();
      }
    })().catch((e) =>
      connection.console.error(
        `nixboot: re-linting after a settings change failed: ${e instanceof Error ? e.message : String(e)}`,
      ),
    );
  });

  /**
   * The findings of `doc`'s current version. The last publication may be older than the document
   * (a file opened just after the workspace pass published its copy on disk, an edit still in its
   * debounce): code actions and hovers then lint the version they are asked about, so a light bulb
   * never comes up empty beside a squiggle.
   */
  const findingsOf = (doc: TextDocument): Finding[] => {
    const entry = findingsByUri.get(doc.uri);
    if (entry && entry.version === doc.version) return entry.findings;
    if (!isNixDocument(doc)) return entry?.findings ?? [];
    const findings = lintFile(modelOf(doc), project(), settingsWithSystem(settings()));
    findingsByUri.set(doc.uri, { version: doc.version, findings });
    return findings;
  };

  connection.onCodeAction((params) => {
    const doc = documents.get(params.textDocument.uri);
    if (!doc) return [];
    const from = doc.offsetAt(params.range.start);
    const to = doc.offsetAt(params.range.end);
    const actions: CodeAction[] = [];
    for (const f of findingsOf(doc)) {
      if (f.end < from || f.start > to) continue;
      const diagnostic = params.context.diagnostics.find(
        (d) => d.code === f.rule && doc.offsetAt(d.range.start) === f.start,
      );
      for (const fix of f.fixes) {
        actions.push({
          title: fix.title,
          kind: CodeActionKind.QuickFix,
          ...(diagnostic ? { diagnostics: [diagnostic] } : {}),
          ...(fix.preferred ? { isPreferred: true } : {}),
          edit: {
            changes: {
              [doc.uri]: fix.edits.map((e) => ({
                range: { start: doc.positionAt(e.start), end: doc.positionAt(e.end) },
                newText: e.newText,
              })),
            },
          },
        });
      }
      actions.push({
        title: `Ignore ${f.rule} on this line`,
        kind: CodeActionKind.QuickFix,
        ...(diagnostic ? { diagnostics: [diagnostic] } : {}),
        edit: { changes: { [doc.uri]: [ignoreEdit(doc, f)] } },
      });
    }
    return actions;
  });

  env.addHoverProvider((doc, offset) => {
    const f = findingsOf(doc).find((x) => offset >= x.start && offset <= x.end);
    const rule = f ? ruleById(f.rule) : undefined;
    if (!f || !rule) return null;
    // Which host the finding was judged for, its files and what could not be read (nixos/hosts.ts).
    let host = '';
    try {
      const root = settings().workspaceRoot;
      const rel = (p: string) => (root && p.startsWith(`${root}/`) ? p.slice(root.length + 1) : p);
      host = `\n\n---\n\n**Judged for** ${explainHost(project(), modelOf(doc), rel)
        .map((l) => l.replace(/^ {2}- /, '- '))
        .join('  \n')}`;
    } catch (e) {
      console.error(`nixboot: host explanation failed: ${e instanceof Error ? e.message : String(e)}`);
    }
    return {
      // VS Code already shows the diagnostic's message above hovers: the hover adds the rule's
      // docs and the host, not the message again.
      contents: { kind: 'markdown', value: `${renderRuleHover(rule)}${host}` },
      range: { start: doc.positionAt(f.start), end: doc.positionAt(f.end) },
    };
  });

  onRequest(connection, StageOneRequest, (params: StageOneRequest.Params): StageOneRequest.Result => {
    // The stage 1 of the document's own host (hosts of a multi-host workspace may differ).
    const found = typeof params?.uri === 'string' ? documents.get(params.uri) : undefined;
    const doc = found && !tooLargeToAnalyse(found.getText()) ? found : undefined;
    const whole = project();
    const s = (doc && isNixDocument(doc) ? projectFor(whole, modelOf(doc)) : whole).stageOne;
    return { systemd: s.systemd ?? null, source: s.source, reason: s.reason };
  });

  return { codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix] } };
}

/** Inserts `# nixboot: ignore RULE` on its own line above the finding, with the line's indentation. */
function ignoreEdit(doc: TextDocument, f: Finding) {
  const pos = doc.positionAt(f.start);
  const lineText = doc.getText({
    start: { line: pos.line, character: 0 },
    end: { line: pos.line + 1, character: 0 },
  });
  const indent = /^[ \t]*/.exec(lineText)![0];
  return {
    range: { start: { line: pos.line, character: 0 }, end: { line: pos.line, character: 0 } },
    newText: `${indent}# nixboot: ignore ${f.rule}\n`,
  };
}
