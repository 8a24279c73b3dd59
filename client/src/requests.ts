// Every message between the client and the language server goes through here, typed by its
// declaration in server/src/protocol.ts (`request<P, R>(method)`, `notification<P>(method)`):
// wrong params or reading a wrong result field do not compile (test/protocol.types.ts). Nothing
// else in client/src calls sendRequest/sendNotification/onNotification (test/architecture.test.ts).
// `request` first waits (up to 30 s) until the language client runs; `withProgress` turns LSP
// work-done progress into a cancellable VS Code notification.
import * as vscode from 'vscode';
import { ProgressType, State, type LanguageClient } from 'vscode-languageclient/node';
import type { NotificationType, RequestType } from '../../server/src/protocol';

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

/** Sends a typed request as the language client does (it waits while starting, fails at once once stopped or failed to start). */
export function send<P, R>(
  client: LanguageClient,
  type: RequestType<P, R>,
  params: NoInfer<P>,
  token?: vscode.CancellationToken,
): Promise<R> {
  return client.sendRequest<R>(type.method, params, token);
}

/** Sends a typed request once the language client runs. */
export async function request<P, R>(
  client: LanguageClient,
  type: RequestType<P, R>,
  params: NoInfer<P>,
  token?: vscode.CancellationToken,
): Promise<R> {
  await running(client);
  return send(client, type, params, token);
}

/** Sends a typed notification. */
export function notify<P>(
  client: LanguageClient,
  type: NotificationType<P>,
  params: NoInfer<P>,
): Promise<void> {
  return client.sendNotification(type.method, params);
}

/** Handles a typed notification from the server. */
export function onNotification<P>(
  client: LanguageClient,
  type: NotificationType<P>,
  handler: (params: P) => void,
): vscode.Disposable {
  return client.onNotification(type.method, handler);
}

let counter = 0;

/**
 * A request that reports work-done progress, shown as a notification that can be cancelled
 * (cancelling aborts the work and says so; the caller gets undefined). Only requests whose params
 * take a `workDoneToken` are accepted; this function sets it.
 */
export async function withProgress<P extends { readonly workDoneToken?: string | number }, R>(
  client: LanguageClient,
  title: string,
  type: RequestType<P, R>,
  params: NoInfer<Omit<P, 'workDoneToken'>>,
): Promise<R | undefined> {
  await running(client);
  return vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title, cancellable: true },
    async (progress, token) => {
      const workDoneToken = `nixboot-${process.pid}-${++counter}`;
      let last = 0;
      const sub = client.onProgress(
        new ProgressType<{ kind: string; percentage?: number; message?: string }>(),
        workDoneToken,
        (v) => {
          if (v.kind === 'report' && typeof v.percentage === 'number') {
            progress.report({ increment: v.percentage - last, message: v.message });
            last = v.percentage;
          }
        },
      );
      try {
        const r = await send(client, type, { ...params, workDoneToken } as NoInfer<P>, token);
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
    },
  );
}
