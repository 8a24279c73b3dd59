// Sending initrd requests: waits for the language client to run, turns LSP work-done progress
// into a cancellable VS Code notification.
import * as vscode from 'vscode';
import { ProgressType, State, type LanguageClient } from 'vscode-languageclient/node';

async function running(client: LanguageClient): Promise<void> {
  if (client.state === State.Running) return;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      d.dispose();
      reject(new Error('the nixboot language server did not start'));
    }, 30_000);
    const d = client.onDidChangeState((e) => {
      if (e.newState === State.Running) {
        clearTimeout(timer);
        d.dispose();
        resolve();
      }
    });
  });
}

export async function request<R>(client: LanguageClient, method: string, params: object, token?: vscode.CancellationToken): Promise<R> {
  await running(client);
  return client.sendRequest<R>(method, params, token);
}

let counter = 0;

/** A request with a progress notification that can be cancelled (cancelling aborts the work and says so). */
export async function withProgress<R>(client: LanguageClient, title: string, method: string, params: object): Promise<R | undefined> {
  await running(client);
  return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, async (progress, token) => {
    const workDoneToken = `nixboot-initrd-${process.pid}-${++counter}`;
    let last = 0;
    const sub = client.onProgress(new ProgressType<{ kind: string; percentage?: number; message?: string }>(), workDoneToken, (v) => {
      if (v.kind === 'report' && typeof v.percentage === 'number') {
        progress.report({ increment: v.percentage - last, message: v.message });
        last = v.percentage;
      }
    });
    try {
      const r = await client.sendRequest<R>(method, { ...params, workDoneToken }, token);
      if (token.isCancellationRequested) throw new vscode.CancellationError();
      return r;
    } catch (e) {
      if (token.isCancellationRequested) {
        // Every cancel says what happened (callers get undefined and stop quietly).
        void vscode.window.showInformationMessage(`Cancelled: ${title}. Nothing was changed.`);
        return undefined;
      }
      throw e;
    } finally {
      sub.dispose();
    }
  });
}
