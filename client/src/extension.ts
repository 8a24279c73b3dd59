// VS Code entry point: starts the language client and wires every UI feature. No domain logic
// here: everything is asked of the server through server/src/protocol.ts.
import * as vscode from 'vscode';
import { LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';
import type { Ctx } from './context';
import { registerInitrd } from './initrd/register';
import { registerStageOneStatus } from './lint/statusBar';
import { registerProvenance } from './provenance/register';

// Feature registry (one line per feature module).
const FEATURES: Array<(ctx: Ctx) => void> = [
  registerInitrd,
  registerStageOneStatus,
  registerProvenance,
];

let client: LanguageClient | undefined;

export async function activate(extension: vscode.ExtensionContext): Promise<Ctx> {
  const serverModule = extension.asAbsolutePath('dist/server.js');
  const serverOptions: ServerOptions = {
    // A larger young generation halves the parser's GC time on big files (bench/lint.ts).
    run: { module: serverModule, transport: TransportKind.ipc, options: { execArgv: ['--max-semi-space-size=64'] } },
    debug: { module: serverModule, transport: TransportKind.ipc, options: { execArgv: ['--max-semi-space-size=64', '--nolazy', '--inspect=6019'] } },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: 'file', language: 'nix' },
      { scheme: 'untitled', language: 'nix' },
      { scheme: 'file', pattern: '**/flake.lock' },
    ],
    initializationOptions: {
      cacheDir: extension.globalStorageUri.fsPath,
      settings: JSON.parse(JSON.stringify(vscode.workspace.getConfiguration('nixboot'))),
    },
    synchronize: {
      configurationSection: 'nixboot',
      fileEvents: vscode.workspace.createFileSystemWatcher('**/*.nix'),
    },
  };
  client = new LanguageClient('nixboot', 'NixOS Boot Debugger', serverOptions, clientOptions);
  const ctx: Ctx = { extension, client };
  extension.subscriptions.push(client);
  for (const feature of FEATURES) feature(ctx);
  await client.start();
  return ctx;
}

export async function deactivate(): Promise<void> {
  await client?.stop();
}
