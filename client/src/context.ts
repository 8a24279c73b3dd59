// Everything a client feature needs: the extension context (every disposable goes into
// ctx.subscriptions) and the running language client.
import type * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';

export interface Ctx {
  readonly extension: vscode.ExtensionContext;
  readonly client: LanguageClient;
  /** Tree data providers by view id (exported for the extension-host tests). */
  readonly trees: Map<string, vscode.TreeDataProvider<unknown>>;
}
