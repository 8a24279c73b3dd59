// Entry point of the nixboot language server (dist/server.js): `node dist/server.js --stdio`.
// Each feature module registers its own handlers; this file only wires them.
import { fileURLToPath } from 'node:url';
import {
  createConnection,
  ProposedFeatures,
  ErrorCodes,
  ResponseError,
  type Connection,
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
import { rehearseFeature } from './rehearse';
import { navigationFeature } from './navigation';
import { AnalysisHost, lintSettings } from './analysisHost';
import { readPeers, type Peers } from './coexistence';
import {
  tooLargeToAnalyse,
  type CodeLensProvider,
  type Feature,
  type HoverProvider,
  type InitOptions,
  type ServerEnv,
} from './env';
import {
  DidChangeTrustNotification,
  PeersNotification,
  PingRequest,
  RESTRICTED_MODE_ERROR,
  RESTRICTED_MODE_METHODS,
} from '../protocol';
import { onNotification, onRequest } from './typed';
import { defaultCacheDir } from '../initrd/cacheDir';

// Feature registry (one line per feature module).
const FEATURES: Feature[] = [
  initrdFeature,
  lintFeature,
  optionsFeature,
  provenanceFeature,
  generationsFeature,
  rehearseFeature,
  navigationFeature,
];

const connection = createConnection(ProposedFeatures.all);
const documents = new TextDocuments(TextDocument);
const codeLensProviders: Array<{ provide: CodeLensProvider; restricted: boolean }> = [];
const hoverProviders: HoverProvider[] = [];
const settingsListeners: Array<() => void> = [];
const trustListeners: Array<() => void> = [];
const initializedListeners: Array<() => void> = [];
const folderListeners: Array<(added: string[], removed: string[]) => void> = [];
let settings: Record<string, unknown> = {};
let folders: string[] = [];
let trusted = true;
let peers: Peers = readPeers(undefined);

/**
 * Workspace trust is enforced here, for every feature at once: the connection the features get
 * refuses, in Restricted Mode, every request they register except RESTRICTED_MODE_METHODS (which
 * read open documents only). Deny by default: a new request needs trust unless listed there.
 */
function restrictedError(method: string): ResponseError<void> {
  return new ResponseError(
    RESTRICTED_MODE_ERROR,
    `Restricted Mode: this workspace is not trusted, so nixboot only lints. ${method} reads files or runs programs (git, nix, initrd decompressors) beyond the open documents; trust the workspace to use it.`,
  );
}
const guardedConnection: Connection = Object.create(connection);
guardedConnection.onRequest = ((method: unknown, handler: unknown) => {
  if (typeof method === 'string' && typeof handler === 'function') {
    const h = handler as (...args: unknown[]) => unknown;
    const needsTrust = !RESTRICTED_MODE_METHODS.includes(method);
    return connection.onRequest(method, (...args: unknown[]) => {
      if (needsTrust && !trusted) throw restrictedError(method);
      // Every nixboot/ request takes an object: anything else is refused here, plainly, rather
      // than failing inside a handler with an internal message.
      const params = args[0];
      if (
        method.startsWith('nixboot/') &&
        (typeof params !== 'object' || params === null || Array.isArray(params))
      ) {
        throw new ResponseError(
          ErrorCodes.InvalidParams,
          `${method} expects an object of parameters (see docs/protocol.md), got ${params === null ? 'null' : Array.isArray(params) ? 'an array' : typeof params}`,
        );
      }
      return h(...args);
    });
  }
  return (connection.onRequest as (...a: unknown[]) => unknown)(method, handler);
}) as Connection['onRequest'];

connection.onInitialize((params) => {
  const init = (params.initializationOptions ?? {}) as InitOptions;
  settings = init.settings ?? {};
  trusted = init.trusted !== false;
  peers = readPeers(init.peers);
  folders = (params.workspaceFolders ?? [])
    .filter((f) => f.uri.startsWith('file:'))
    .map((f) => fileURLToPath(f.uri));
  if (folders.length === 0 && params.rootUri?.startsWith('file:')) folders = [fileURLToPath(params.rootUri)];
  const env: ServerEnv = {
    connection: guardedConnection,
    documents,
    analysis: new AnalysisHost(documents, () => lintSettings(settings, folders[0])),
    cacheDir: init.cacheDir ?? defaultCacheDir(process.env),
    workspaceFolders: () => folders,
    settings: () => settings,
    trusted: () => trusted,
    peers: () => peers,
    addCodeLensProvider: (p, options) =>
      void codeLensProviders.push({ provide: p, restricted: options?.restricted === true }),
    addHoverProvider: (p) => void hoverProviders.push(p),
    onSettingsChanged: (l) => void settingsListeners.push(l),
    onTrustChanged: (l) => void trustListeners.push(l),
    onInitialized: (l) => void initializedListeners.push(l),
    onWorkspaceFoldersChanged: (l) => void folderListeners.push(l),
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
  if (!doc || tooLargeToAnalyse(doc.getText())) return [];
  const lenses: CodeLens[] = [];
  for (const p of codeLensProviders) {
    // In Restricted Mode, no lens that would run a program when clicked (or to be computed).
    if (!trusted && !p.restricted) continue;
    try {
      lenses.push(...(await p.provide(doc, token)));
    } catch (e) {
      connection.console.error(`code lens provider failed: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  return lenses;
});

connection.onHover(async (params) => {
  const doc = documents.get(params.textDocument.uri);
  if (!doc || tooLargeToAnalyse(doc.getText())) return null;
  const offset = doc.offsetAt(params.position);
  for (const p of hoverProviders) {
    const h = await p(doc, offset);
    if (h) return h;
  }
  return null;
});

onRequest(connection, PingRequest, (): PingRequest.Result => ({ trusted }));

onNotification(connection, DidChangeTrustNotification, (p: DidChangeTrustNotification.Params) => {
  if (typeof p?.trusted !== 'boolean' || p.trusted === trusted) return;
  trusted = p.trusted;
  for (const l of trustListeners) l();
  // Lenses that Restricted Mode held back (or that must go) are asked for again.
  void connection.sendRequest('workspace/codeLens/refresh').then(undefined, () => undefined);
});

onNotification(connection, PeersNotification, (p: unknown) => {
  peers = readPeers(p);
});

connection.onDidChangeConfiguration((change) => {
  const s = (change.settings as { nixboot?: Record<string, unknown> } | undefined)?.nixboot;
  if (s) settings = s;
  for (const l of settingsListeners) l();
});

// The connection keeps one handler per message: this is the only `initialized` handler, and
// features register through env.onInitialized.
connection.onInitialized(() => {
  try {
    connection.workspace.onDidChangeWorkspaceFolders((e) => {
      const paths = (fs: readonly { uri: string }[]) =>
        fs.filter((f) => f.uri.startsWith('file:')).map((f) => fileURLToPath(f.uri));
      const removed = paths(e.removed);
      const added = paths(e.added).filter((f) => !folders.includes(f));
      folders = [...folders.filter((f) => !removed.includes(f)), ...added];
      for (const l of folderListeners) l(added, removed);
    });
  } catch {
    // A client without workspace folders support: the folders stay those of initialize.
  }
  for (const l of initializedListeners) l();
});

// One failing handler must not take the server down with every open document: log and go on.
process.on('unhandledRejection', (e) => {
  connection.console.error(
    `nixboot: unhandled error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`,
  );
});

documents.listen(connection);
connection.listen();
