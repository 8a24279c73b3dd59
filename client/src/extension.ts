// VS Code entry point: starts the language client and wires every UI feature. No domain logic
// here: everything is asked of the server through server/src/protocol.ts.
import * as vscode from 'vscode';
import {
  LanguageClient,
  TransportKind,
  type LanguageClientOptions,
  type ServerOptions,
} from 'vscode-languageclient/node';
import type { Ctx } from './context';
import { registerInitrd } from './initrd/register';
import { registerStageOneStatus } from './lint/statusBar';
import { registerProvenance } from './provenance/register';
import { registerGenerations } from './generations/register';
import { registerRehearse } from './rehearse/register';
import { registerTrust } from './trust';
import { currentPeers, registerPeers } from './peers';
import { createLogChannel } from './log';
import { registerReports } from './reports/panel';
import { registerWalkthrough, walkthroughMiddleware } from './walkthrough';

// Feature registry (one line per feature module).
const FEATURES: Array<(ctx: Ctx) => void> = [
  registerTrust,
  registerInitrd,
  registerStageOneStatus,
  registerProvenance,
  registerGenerations,
  registerRehearse,
  registerPeers,
  registerReports,
  registerWalkthrough,
];

let client: LanguageClient | undefined;

/** What `activate` returns (the extension's exports), for tests and other extensions. */
export interface Api {
  readonly ctx: Ctx;
  /** Milliseconds `activate` took, measured by the extension itself. */
  readonly activationMs: number;
  /** Resolves once the language server is running. */
  readonly serverReady: Promise<void>;
  /** The views' tree data providers by view id. */
  readonly trees: Ctx['trees'];
}

export async function activate(extension: vscode.ExtensionContext): Promise<Api> {
  const started = performance.now();
  const serverModule = extension.asAbsolutePath('dist/server.js');
  const serverOptions: ServerOptions = {
    // A larger young generation halves the parser's GC time on big files (bench/lint.ts).
    run: {
      module: serverModule,
      transport: TransportKind.ipc,
      options: { execArgv: ['--max-semi-space-size=64'] },
    },
    debug: {
      module: serverModule,
      transport: TransportKind.ipc,
      options: { execArgv: ['--max-semi-space-size=64', '--nolazy', '--inspect=6019'] },
    },
  };
  // One "nixboot" channel: the server's log and the protocol trace (`nixboot.trace.server`).
  const log = createLogChannel();
  extension.subscriptions.push(log);
  const clientOptions: LanguageClientOptions = {
    outputChannel: log,
    traceOutputChannel: log,
    documentSelector: [
      { scheme: 'file', language: 'nix' },
      { scheme: 'untitled', language: 'nix' },
      { scheme: 'file', pattern: '**/flake.lock' },
    ],
    initializationOptions: {
      cacheDir: extension.globalStorageUri.fsPath,
      settings: JSON.parse(JSON.stringify(vscode.workspace.getConfiguration('nixboot'))),
      // Untrusted: the server lints only (client/src/trust.ts tells it when trust is granted).
      trusted: vscode.workspace.isTrusted,
      // Nix IDE, nil/nixd: what the server leaves to them (client/src/peers.ts).
      peers: currentPeers(extension.extension.id),
    },
    // The walkthrough's "Fix it" step is checked when a quick fix is applied (client/src/walkthrough.ts).
    middleware: walkthroughMiddleware,
    synchronize: {
      configurationSection: 'nixboot',
      fileEvents: vscode.workspace.createFileSystemWatcher('**/*.nix'),
    },
  };
  client = new LanguageClient('nixboot', 'nixboot', serverOptions, clientOptions);
  const ctx: Ctx = { extension, client, trees: new Map() };
  extension.subscriptions.push(client);
  for (const feature of FEATURES) feature(ctx);
  // The server starts in the background: activation stays fast, and requests made before it is
  // up wait for it (vscode-languageclient queues them until the client runs).
  const serverReady = client.start();
  serverReady.catch(
    (e: unknown) =>
      void vscode.window.showErrorMessage(
        `nixboot: the language server did not start: ${e instanceof Error ? e.message : String(e)}`,
      ),
  );
  return { ctx, activationMs: performance.now() - started, serverReady, trees: ctx.trees };
}

export async function deactivate(): Promise<void> {
  await client?.stop();
}
