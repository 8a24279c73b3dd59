// Navigation in the language server: document symbols (Outline, breadcrumbs), go to definition on
// path literals (`imports = [ ./x.nix ../y ]`: a directory means its default.nix) and from an
// option to its other definitions in the same host, find references of an option across the host's
// files. Everything is asked of the analysis host (no parsing here); the engine returns offsets and
// this file converts them at the edge. Where nil or nixd also answer (symbols, path definitions),
// `nixboot.navigation` decides who does (lsp/coexistence.ts).
import { stat } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import {
  SymbolKind,
  type DocumentSymbol as LspSymbol,
  type Location,
  type ServerCapabilities,
} from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { optionAt, optionLocations, pathTargetAt, type OptionLocation } from '../nixos/navigation';
import { documentSymbols, type DocumentSymbol, type SymbolKind as EngineKind } from '../nixos/symbols';
import type { FileModel } from '../rules/types';
import { lineStarts, positionAt } from '../text';
import { isNixDocument, pathOfUri } from './analysisHost';
import { navigationOverlaps } from './coexistence';
import { tooLargeToAnalyse, type ServerEnv } from './env';

const KINDS: Record<EngineKind, SymbolKind> = {
  set: SymbolKind.Namespace,
  attribute: SymbolKind.Property,
  let: SymbolKind.Variable,
  function: SymbolKind.Function,
  argument: SymbolKind.Variable,
  list: SymbolKind.Array,
  string: SymbolKind.String,
  number: SymbolKind.Number,
  bool: SymbolKind.Boolean,
  path: SymbolKind.File,
  null: SymbolKind.Null,
};

function toLspSymbols(doc: TextDocument, symbols: readonly DocumentSymbol[]): LspSymbol[] {
  return symbols.map((s) => ({
    name: s.name,
    ...(s.detail ? { detail: s.detail } : {}),
    kind: KINDS[s.kind],
    range: { start: doc.positionAt(s.start), end: doc.positionAt(s.end) },
    selectionRange: { start: doc.positionAt(s.selectionStart), end: doc.positionAt(s.selectionEnd) },
    children: toLspSymbols(doc, s.children),
  }));
}

/** LSP locations of engine locations (files other than `doc` are converted with their model's text). */
function toLocations(
  env: ServerEnv,
  doc: TextDocument,
  files: readonly FileModel[],
  locs: readonly OptionLocation[],
): Location[] {
  const docPath = pathOfUri(doc.uri);
  const starts = new Map<string, number[]>();
  return locs.map((l) => {
    if (l.file === docPath)
      return { uri: doc.uri, range: { start: doc.positionAt(l.start), end: doc.positionAt(l.end) } };
    let s = starts.get(l.file);
    if (!s)
      starts.set(
        l.file,
        (s = lineStarts(
          files.find((f) => f.path === l.file)?.text ?? env.analysis.modelOfPath(l.file)?.text ?? '',
        )),
      );
    return {
      uri: pathToFileURL(l.file).href,
      range: { start: positionAt(s, l.start), end: positionAt(s, l.end) },
    };
  });
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

export function navigationFeature(env: ServerEnv): Partial<ServerCapabilities> {
  const { connection, documents } = env;
  const modelAt = (uri: string): { doc: TextDocument; model: FileModel } | undefined => {
    const doc = documents.get(uri);
    if (!doc || !isNixDocument(doc) || tooLargeToAnalyse(doc.getText())) return undefined;
    const model = env.analysis.model(doc);
    return model.notAnalysed ? undefined : { doc, model };
  };
  const fail = (what: string, e: unknown) =>
    connection.console.error(`nixboot: ${what} failed: ${e instanceof Error ? e.message : String(e)}`);

  connection.onDocumentSymbol((params) => {
    try {
      if (navigationOverlaps(env.settings(), env.peers())) return null;
      const at = modelAt(params.textDocument.uri);
      return at ? toLspSymbols(at.doc, documentSymbols(at.model.root, at.model.text)) : null;
    } catch (e) {
      fail('document symbols', e);
      return null;
    }
  });

  connection.onDefinition(async (params) => {
    try {
      const at = modelAt(params.textDocument.uri);
      if (!at) return null;
      const offset = at.doc.offsetAt(params.position);
      const target = pathTargetAt(at.model, offset);
      if (target) {
        // nil and nixd answer path literals themselves.
        if (navigationOverlaps(env.settings(), env.peers())) return null;
        for (const candidate of target.candidates) {
          if (env.analysis.modelOfPath(candidate) || (await isFile(candidate))) {
            const top = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
            return [{ uri: pathToFileURL(candidate).href, range: top }];
          }
        }
        return null; // a path to a missing file: no definition
      }
      const option = optionAt(at.model, offset);
      if (!option) return null;
      const files = env.analysis.hostFiles(at.model);
      const defs = optionLocations(files, option.path, { reads: false });
      if (defs.length === 0) return null;
      const docPath = pathOfUri(at.doc.uri);
      const here = (l: OptionLocation) => l.file === docPath && l.start <= offset && offset <= l.end;
      // The other definitions; on the only one, itself (VS Code then shows the references).
      const others = defs.filter((l) => !here(l));
      return toLocations(env, at.doc, files, others.length > 0 ? others : defs);
    } catch (e) {
      fail('go to definition', e);
      return null;
    }
  });

  connection.onReferences((params) => {
    try {
      const at = modelAt(params.textDocument.uri);
      if (!at) return null;
      const offset = at.doc.offsetAt(params.position);
      const option = optionAt(at.model, offset);
      if (!option) return null;
      const files = env.analysis.hostFiles(at.model);
      const docPath = pathOfUri(at.doc.uri);
      let locs = optionLocations(files, option.path);
      if (!params.context.includeDeclaration)
        locs = locs.filter((l) => !(l.file === docPath && l.start <= offset && offset <= l.end));
      return toLocations(env, at.doc, files, locs);
    } catch (e) {
      fail('find references', e);
      return null;
    }
  });

  return { documentSymbolProvider: { label: 'nixboot' }, definitionProvider: true, referencesProvider: true };
}
