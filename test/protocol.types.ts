// Type-level test of the typed protocol (server/src/protocol.ts): checked by `npm run typecheck`,
// never run. Each `@ts-expect-error` line must fail to compile; if a change made it compile
// (params or results no longer checked), tsc reports the directive as unused and the typecheck
// fails. The lines without the directive show the same calls done right.
import type { Connection } from 'vscode-languageserver/node';
import type { LanguageClient } from 'vscode-languageclient/node';
import {
  GenerationsListRequest,
  GenerationsSwitchCommandsRequest,
  InitrdIdentifyRequest,
  InitrdOpenRequest,
  InitrdStatRequest,
  LockInputsRequest,
  PingRequest,
  RehearseConsoleNotification,
  RehearseInputNotification,
  type ParamsOf,
  type ResultOf,
} from '../server/src/protocol';
import {
  notify,
  onNotification as onClientNotification,
  request,
  send,
  withProgress,
} from '../client/src/requests';
import { onNotification, onRequest, sendNotification } from '../server/src/lsp/typed';

export async function clientCalls(client: LanguageClient): Promise<void> {
  const opened = await request(client, InitrdOpenRequest, { file: '/boot/initrd' });
  const segments: number = opened.segments.length;
  // @ts-expect-error a param of the wrong type
  await request(client, InitrdOpenRequest, { file: 42 });
  // @ts-expect-error a required param missing
  await send(client, InitrdStatRequest, { file: '/boot/initrd' });
  // @ts-expect-error a param the request does not declare
  await send(client, InitrdOpenRequest, { file: '/boot/initrd', path: '/init' });
  // @ts-expect-error a result field the request does not return
  void opened.problems;
  // @ts-expect-error a result field read as the wrong type
  const wrong: string = opened.entries;

  const listed = await send(client, GenerationsListRequest, { root: '/mnt' });
  void listed.generations[0]?.kernelVersion;
  // @ts-expect-error a generation has no `version`
  void listed.generations[0]?.version;
  const found = await send(client, InitrdIdentifyRequest, { files: ['/boot/initrd'], olderFirst: true });
  void found.images[0]?.title;
  // @ts-expect-error `files` is a list
  await send(client, InitrdIdentifyRequest, { files: '/boot/initrd' });
  const inputs = await send(client, LockInputsRequest, { lockFile: '/src/flake.lock' });
  const gitLike: boolean = inputs.inputs[0]!.gitLike;
  const lines: string[] = (await send(client, GenerationsSwitchCommandsRequest, { action: 'rollback' }))
    .commands;
  // @ts-expect-error an action the request does not know
  await send(client, GenerationsSwitchCommandsRequest, { action: 'switch' });

  // withProgress sets workDoneToken itself, and takes only requests that report progress.
  await withProgress(client, 'Opening', InitrdOpenRequest, { file: '/boot/initrd' });
  // @ts-expect-error nixboot/initrd/stat takes no workDoneToken: no progress to show
  await withProgress(client, 'Stat', InitrdStatRequest, { file: '/boot/initrd', path: '/' });
  // @ts-expect-error a param of the wrong type, through withProgress
  await withProgress(client, 'Opening', InitrdOpenRequest, { file: ['/boot/initrd'] });

  await notify(client, RehearseInputNotification, { id: 'r1', text: 'root\n' });
  // @ts-expect-error a notification's param of the wrong type
  await notify(client, RehearseInputNotification, { id: 1, text: 'root\n' });
  // @ts-expect-error a notification is not a request
  await send(client, RehearseInputNotification, { id: 'r1', text: '' });
  onClientNotification(client, RehearseConsoleNotification, (p) => void p.text.length);
  // @ts-expect-error a console notification carries no `line`
  onClientNotification(client, RehearseConsoleNotification, (p) => void p.line);
  void [segments, wrong, gitLike, lines];
}

export function serverHandlers(connection: Connection): void {
  onRequest(connection, InitrdOpenRequest, (p) => ({ file: p.file, segments: [], entries: 0 }));
  // @ts-expect-error a handler reading a param the request does not declare
  onRequest(connection, InitrdOpenRequest, (p) => ({ file: p.path, segments: [], entries: 0 }));
  // @ts-expect-error a handler whose result lacks a declared field (`entries`)
  onRequest(connection, InitrdOpenRequest, (p) => ({ file: p.file, segments: [] }));
  // @ts-expect-error an async handler whose result has a field of the wrong type
  onRequest(connection, PingRequest, async () => ({ trusted: 'yes' }));
  onNotification(connection, RehearseInputNotification, (p) => void p.text);
  // @ts-expect-error a notification handler reading a param that does not exist
  onNotification(connection, RehearseInputNotification, (p) => void p.data);
  void sendNotification(connection, RehearseConsoleNotification, { id: 'r1', text: 'login: ' });
  // @ts-expect-error a notification sent without its `id`
  void sendNotification(connection, RehearseConsoleNotification, { text: 'login: ' });
}

// ParamsOf / ResultOf name a declaration's types without the namespace.
export const params: ParamsOf<typeof InitrdStatRequest> = { file: '/boot/initrd', path: '/init' };
// @ts-expect-error ResultOf a request is its Result: `exists` is a boolean
export const result: ResultOf<typeof InitrdStatRequest> = { exists: 'no' };
