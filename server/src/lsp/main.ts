// Entry point of the nixboot language server (dist/server.js): `node dist/server.js --stdio`.
// Each feature module registers its own handlers; this file only wires them.
import { fileURLToPath } from 'node:url';
import {
  createConnection,
  ProposedFeatures,
  TextDocuments,
  TextDocumentSyncKind,
  type CodeLens,
  type ServerCapabilities,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { lintFeature } from './lint';
import { initrdFeature } from './initrd';
import { optionsFeature } from './options';
import { provenanceFeature } from './provenance';
import { generationsFeature } from './generations';
import { defaultCacheDir } from '../initrd/cacheDir';
import type { CodeLensProvider, Feature, HoverProvider, InitOptions, ServerEnv } from './env';

// Feature registry (one line per feature module).
const FEATURES: Feature[] = [
  initrdFeature,
  lintFeature,
  optionsFeature,
  provenanceFeature,
  generationsFeature,
];

const connection = createConnection(ProposedFeatures.all);
const documents = new TextDocuments(TextDocument);
const codeLensProviders: CodeLensProvider[] = [];
const hoverProviders: HoverProvider[] = [];
const settingsListeners: Array<() => void> = [];
let settings: Record<string, unknown> = {};
let folders: string[] = [];

connection.onInitialize((params) => {
  const init = (params.initializationOptions ?? {}) as InitOptions;
  settings = init.settings ?? {};
  folders = (params.workspaceFolders ?? [])
    .filter((f) => f.uri.startsWith('file:'))
    .map((f) => fileURLToPath(f.uri));
  if (folders.length === 0 && params.rootUri?.startsWith('file:')) folders = [fileURLToPath(params.rootUri)];
  const env: ServerEnv = {
    connection,
    documents,
    cacheDir: init.cacheDir ?? defaultCacheDir(process.env),
    workspaceFolders: () => folders,
    settings: () => settings,
    addCodeLensProvider: (p) => void codeLensProviders.push(p),
    addHoverProvider: (p) => void hoverProviders.push(p),
    onSettingsChanged: (l) => void settingsListeners.push(l),
  };
  let capabilities: ServerCapabilities = {
    textDocumentSync: TextDocumentSyncKind.Incremental,
    workspace: { workspaceFolders: { supported: true, changeNotifications: true } },
  };
  for (const feature of FEATURES) capabilities = { ...capabilities, ...(feature(env) ?? {}) };
  if (codeLensProviders.length > 0) capabilities.codeLensProvider = { resolveProvider: false };
  if (hoverProviders.length > 0) capabilities.hoverProvider = true;
  return { capabilities, serverInfo: { name: 'nixboot', version: '0.1.0' } };
});

connection.onCodeLens(async (params, token) => {
  const doc = documents.get(params.textDocument.uri);
  if (!doc) return [];
  const lenses: CodeLens[] = [];
  for (const p of codeLensProviders) {
    try {
      lenses.push(...(await p(doc, token)));
    } catch (e) {
      connection.console.error(`code lens provider failed: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  return lenses;
});

connection.onHover(async (params) => {
  const doc = documents.get(params.textDocument.uri);
  if (!doc) return null;
  const offset = doc.offsetAt(params.position);
  for (const p of hoverProviders) {
    const h = await p(doc, offset);
    if (h) return h;
  }
  return null;
});

connection.onDidChangeConfiguration((change) => {
  const s = (change.settings as { nixboot?: Record<string, unknown> } | undefined)?.nixboot;
  if (s) settings = s;
  for (const l of settingsListeners) l();
});

connection.onInitialized(() => {
  connection.workspace.onDidChangeWorkspaceFolders((e) => {
    const removed = new Set(e.removed.map((f) => f.uri));
    folders = [
      ...folders.filter((f) => !removed.has(`file://${f}`)),
      ...e.added.filter((f) => f.uri.startsWith('file:')).map((f) => fileURLToPath(f.uri)),
    ];
  });
});

documents.listen(connection);
connection.listen();
