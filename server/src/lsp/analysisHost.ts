// The analysis host of the language server (rust-analyzer's AnalysisHost, nil's database): the one
// owner of the open documents' models, the models of the workspace's .nix files on disk and the
// project (hosts) made of them. Diagnostics, hovers, completion, symbols, definitions and
// references all ask it, so a document is parsed once per change whatever asks for it.
import { stat } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { TextDocuments } from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import {
  analyzeFile,
  makeProject,
  overSizeLimit,
  projectFor,
  tooLargeFile,
  type LintSettings,
} from '../analysis';
import { readRegularFile } from '../files';
import type { FileModel, ProjectModel } from '../rules/types';
import type { SeveritySetting } from '../rules/types';

/** Nix documents: the language `nix`, or a `.nix` file whatever language the editor gave it. */
export function isNixDocument(doc: Pick<TextDocument, 'uri' | 'languageId'>): boolean {
  return doc.languageId === 'nix' || doc.uri.endsWith('.nix');
}

/** Reads the `nixboot` settings into the engine's LintSettings. */
export function lintSettings(raw: Record<string, unknown>, workspaceRoot: string | undefined): LintSettings {
  const rules: Record<string, SeveritySetting> = {};
  const r = raw.rules;
  if (r && typeof r === 'object') {
    for (const [id, v] of Object.entries(r as Record<string, unknown>)) {
      if (typeof v === 'string' && ['off', 'hint', 'info', 'warning', 'error'].includes(v))
        rules[id] = v as SeveritySetting;
    }
  }
  const release =
    typeof raw.nixosRelease === 'string' && raw.nixosRelease.trim() ? raw.nixosRelease.trim() : undefined;
  const lint = raw.lint && typeof raw.lint === 'object' ? (raw.lint as Record<string, unknown>) : {};
  const mib =
    typeof lint.maxFileSizeMiB === 'number' && lint.maxFileSizeMiB > 0 ? lint.maxFileSizeMiB : undefined;
  return {
    rules,
    ...(release ? { nixosRelease: release } : {}),
    ...(workspaceRoot ? { workspaceRoot } : {}),
    ...(mib ? { maxFileBytes: Math.round(mib * 1024 * 1024) } : {}),
  };
}

export function pathOfUri(uri: string): string {
  return uri.startsWith('file:') ? fileURLToPath(uri) : uri;
}

export class AnalysisHost {
  /** Models of workspace files on disk, by path. */
  readonly disk = new Map<string, FileModel>();
  private readonly docModels = new WeakMap<TextDocument, { version: number; model: FileModel }>();
  private projectCache: ProjectModel | undefined;
  constructor(
    private readonly documents: TextDocuments<TextDocument>,
    readonly settings: () => LintSettings,
  ) {}

  /** The model of an open document's current version (parsed once per version, incrementally from the previous one). */
  model(doc: TextDocument): FileModel {
    const hit = this.docModels.get(doc);
    if (hit && hit.version === doc.version) return hit.model;
    // The previous version's model is handed over (its tree is reused in place by an incremental
    // reparse), so nothing may keep it: the project built from it goes too.
    const model = analyzeFile(pathOfUri(doc.uri), doc.getText(), hit?.model, this.settings());
    if (hit) this.projectCache = undefined;
    this.docModels.set(doc, { version: doc.version, model });
    return model;
  }

  /** The model of a file: the open document's, else the one read from disk. */
  modelOfPath(path: string): FileModel | undefined {
    for (const doc of this.documents.all()) {
      if (doc.uri.startsWith('file:') && isNixDocument(doc) && fileURLToPath(doc.uri) === path)
        return this.model(doc);
    }
    return this.disk.get(path);
  }

  /** Every known file (open documents over their disk copies) as one project; cached until something changes. */
  project(): ProjectModel {
    if (this.projectCache) return this.projectCache;
    const all = new Map(this.disk);
    for (const doc of this.documents.all()) {
      if (!doc.uri.startsWith('file:') || !isNixDocument(doc)) continue;
      all.set(fileURLToPath(doc.uri), this.model(doc));
    }
    this.projectCache = makeProject([...all.values()], this.settings());
    return this.projectCache;
  }

  /** The files of the host `model` is judged for (only itself when it is not part of the project, or no host includes it). */
  hostFiles(model: FileModel): readonly FileModel[] {
    const whole = this.project();
    if (!whole.files.includes(model)) return [model];
    const p = projectFor(whole, model);
    return p.host.placed ? p.files : [model];
  }

  /** Something the project depends on changed (a document, a disk file, the settings). */
  invalidate(): void {
    this.projectCache = undefined;
  }

  /**
   * Reads and analyses a workspace file into `disk` (a regular file only, never a FIFO or device;
   * over the size limit, not read at all). Returns its model, or undefined (then it is forgotten).
   */
  async readDiskFile(path: string): Promise<FileModel | undefined> {
    try {
      const st = await stat(path);
      if (!st.isFile()) throw new Error('not a regular file');
      const settings = this.settings();
      const model = overSizeLimit(st.size, settings)
        ? tooLargeFile(path, st.size, settings)
        : analyzeFile(path, (await readRegularFile(path)).toString('utf8'), undefined, settings);
      this.disk.set(path, model);
      this.projectCache = undefined;
      return model;
    } catch {
      this.forgetDiskFile(path);
      return undefined;
    }
  }

  forgetDiskFile(path: string): void {
    this.disk.delete(path);
    this.projectCache = undefined;
  }
}
