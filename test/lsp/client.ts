// A real LSP client for tests: spawns dist/server.js over stdio and speaks JSON-RPC to it, as an
// editor would. Waits are event-driven with time-outs.
import { spawn, type ChildProcess } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import {
  AbstractMessageWriter,
  createMessageConnection,
  StreamMessageReader,
  type Message,
  type MessageConnection,
  type MessageWriter,
} from 'vscode-jsonrpc/node';
import type { Writable } from 'node:stream';
import type { RequestType } from '../../server/src/protocol';

/** An LSP message framed for the wire (Content-Length header and UTF-8 body) in one buffer. */
export function frame(message: object): Buffer {
  const body = Buffer.from(JSON.stringify({ jsonrpc: '2.0', ...message }), 'utf8');
  return Buffer.concat([Buffer.from(`Content-Length: ${body.length}\r\n\r\n`, 'ascii'), body]);
}

/**
 * Writes each message with one write() call, so that messages framed in advance (`writeFramed`)
 * can be sent between them without interleaving, and without the sender's thread serialising them
 * while a test measures latencies.
 */
class FramedWriter extends AbstractMessageWriter implements MessageWriter {
  constructor(private readonly out: Writable) {
    super();
    out.on('error', (e) => this.fireError(e));
    out.on('close', () => this.fireClose());
  }
  write(msg: Message): Promise<void> {
    return new Promise((resolve) => this.out.write(frame(msg), () => resolve()));
  }
  writeFramed(buf: Buffer): Promise<void> {
    return new Promise((resolve) => this.out.write(buf, () => resolve()));
  }
  end(): void {
    this.out.end();
  }
}

export const SERVER = new URL('../../dist/server.js', import.meta.url).pathname;

export interface Diagnostic {
  range: { start: { line: number; character: number }; end: { line: number; character: number } };
  severity: number;
  code: string;
  message: string;
}

export class LspClient {
  readonly conn: MessageConnection;
  private readonly proc: ChildProcess;
  private readonly diagnostics = new Map<string, Diagnostic[]>();
  private readonly waiters: Array<{
    uri: string;
    pred: (d: Diagnostic[]) => boolean;
    resolve: (d: Diagnostic[]) => void;
  }> = [];
  readonly stderr: string[] = [];
  private readonly writer: FramedWriter;

  constructor(env: NodeJS.ProcessEnv = process.env) {
    this.proc = spawn(process.execPath, [SERVER, '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'], env });
    this.proc.stderr!.on('data', (d: Buffer) => this.stderr.push(d.toString()));
    this.writer = new FramedWriter(this.proc.stdin!);
    this.conn = createMessageConnection(new StreamMessageReader(this.proc.stdout!), this.writer);
    this.conn.onNotification(
      'textDocument/publishDiagnostics',
      (p: { uri: string; diagnostics: Diagnostic[] }) => {
        this.diagnostics.set(p.uri, p.diagnostics);
        for (const w of [...this.waiters]) {
          if (w.uri === p.uri && w.pred(p.diagnostics)) {
            this.waiters.splice(this.waiters.indexOf(w), 1);
            w.resolve(p.diagnostics);
          }
        }
      },
    );
    this.conn.onRequest('workspace/configuration', () => []);
    this.conn.onRequest('client/registerCapability', () => null);
    this.conn.onRequest('window/workDoneProgress/create', () => null);
    this.conn.onNotification('window/logMessage', () => undefined);
    this.conn.listen();
  }

  /** `init`: more initialization options (e.g. `{ trusted: false }`, `{ cacheDir }`). */
  async initialize(
    root: string,
    settings: Record<string, unknown> = {},
    init: Record<string, unknown> = {},
  ): Promise<unknown> {
    const result = await this.conn.sendRequest('initialize', {
      processId: process.pid,
      rootUri: pathToFileURL(root).href,
      workspaceFolders: [{ uri: pathToFileURL(root).href, name: 'ws' }],
      capabilities: {
        textDocument: { publishDiagnostics: { versionSupport: true }, codeAction: {} },
        workspace: { workspaceFolders: true },
      },
      initializationOptions: { settings, ...init },
    });
    await this.conn.sendNotification('initialized', {});
    return result;
  }

  /** The last diagnostics published for `uri` (none yet: []). */
  diagnosticsOf(uri: string): Diagnostic[] {
    return this.diagnostics.get(uri) ?? [];
  }

  /** Resolves with the diagnostics of `uri` once a publication satisfies `pred`. */
  waitForDiagnostics(
    uri: string,
    pred: (d: Diagnostic[]) => boolean,
    timeoutMs = 10_000,
  ): Promise<Diagnostic[]> {
    const current = this.diagnostics.get(uri);
    if (current && pred(current)) return Promise.resolve(current);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(
          new Error(
            `no matching diagnostics for ${uri} within ${timeoutMs} ms; last: ${JSON.stringify(this.diagnostics.get(uri))}; server stderr: ${this.stderr.join('')}`,
          ),
        );
      }, timeoutMs);
      this.waiters.push({
        uri,
        pred,
        resolve: (d) => {
          clearTimeout(timer);
          resolve(d);
        },
      });
    });
  }

  /** A nixboot/ request, typed by its declaration in server/src/protocol.ts (as the editor sends it). */
  request<P, R>(type: RequestType<P, R>, params: NoInfer<P>): Promise<R> {
    return this.conn.sendRequest(type.method, params) as Promise<R>;
  }

  /** Sends a message framed in advance with `frame` (e.g. a notification carrying 20 MB). */
  sendFramed(buf: Buffer): Promise<void> {
    return this.writer.writeFramed(buf);
  }

  open(uri: string, text: string, version = 1): Promise<void> {
    return this.conn.sendNotification('textDocument/didOpen', {
      textDocument: { uri, languageId: 'nix', version, text },
    });
  }

  change(uri: string, text: string, version: number): Promise<void> {
    return this.conn.sendNotification('textDocument/didChange', {
      textDocument: { uri, version },
      contentChanges: [{ text }],
    });
  }

  async close(): Promise<void> {
    try {
      await this.conn.sendRequest('shutdown');
      await this.conn.sendNotification('exit');
    } catch {
      // the server may already be gone
    }
    this.conn.dispose();
    this.proc.kill();
  }
}
