// The server's end of the typed protocol (server/src/protocol.ts): every nixboot/ handler is
// registered, and every nixboot/ notification sent, through these, so a handler that reads a
// param the request does not declare, or returns something other than its declared result, does
// not compile (test/protocol.types.ts). Registration still goes through the connection the
// feature was given: in Restricted Mode that connection refuses requests that need trust
// (lsp/main.ts).
import type { CancellationToken, Connection, Disposable } from 'vscode-languageserver/node';
import type { NotificationType, RequestType } from '../protocol';

/** Answers a typed request. */
export function onRequest<P, R>(
  connection: Connection,
  type: RequestType<P, R>,
  handler: NoInfer<(params: P, token: CancellationToken) => R | Promise<R>>,
): Disposable {
  return connection.onRequest(type.method, handler);
}

/** Handles a typed notification from the client. */
export function onNotification<P>(
  connection: Connection,
  type: NotificationType<P>,
  handler: NoInfer<(params: P) => void>,
): Disposable {
  return connection.onNotification(type.method, handler);
}

/** Sends a typed notification to the client. */
export function sendNotification<P>(
  connection: Connection,
  type: NotificationType<P>,
  params: NoInfer<P>,
): Promise<void> {
  return connection.sendNotification(type.method, params);
}
