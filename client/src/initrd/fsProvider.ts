// Read-only `initrd:` file system: a thin adapter over the server's initrd requests.
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import {
  InitrdReadDirectoryRequest,
  InitrdReadFileRequest,
  InitrdStatRequest,
  type RequestType,
} from '../../../server/src/protocol';
import { request } from '../requests';
import { parseUri } from './uri';

const MAX = 64 * 2 ** 20;

function fileType(t: string | undefined): vscode.FileType {
  switch (t) {
    case 'dir':
      return vscode.FileType.Directory;
    case 'file':
      return vscode.FileType.File;
    case 'symlink':
      return vscode.FileType.SymbolicLink;
    default:
      return vscode.FileType.Unknown;
  }
}

export class InitrdFileSystem implements vscode.FileSystemProvider {
  private readonly emitter = new vscode.EventEmitter<vscode.FileChangeEvent[]>();
  readonly onDidChangeFile = this.emitter.event;

  constructor(private readonly client: LanguageClient) {}

  private async call<P extends { readonly file: string; readonly path: string }, R>(
    type: RequestType<P, R>,
    uri: vscode.Uri,
    extra: NoInfer<Omit<P, 'file' | 'path'>>,
  ): Promise<R> {
    const { file, path } = parseUri(uri);
    try {
      return await request(this.client, type, { file, path, ...extra } as NoInfer<P>);
    } catch (e) {
      throw vscode.FileSystemError.Unavailable(`${uri.toString()}: ${(e as Error).message}`);
    }
  }

  async stat(uri: vscode.Uri): Promise<vscode.FileStat> {
    const r = await this.call(InitrdStatRequest, uri, {});
    if (!r.exists) throw vscode.FileSystemError.FileNotFound(uri);
    let type = fileType(r.type);
    if (r.type === 'symlink')
      type = r.resolvedType
        ? fileType(r.resolvedType) | vscode.FileType.SymbolicLink
        : vscode.FileType.SymbolicLink;
    return {
      type,
      size: r.size ?? 0,
      ctime: (r.mtime ?? 0) * 1000,
      mtime: (r.mtime ?? 0) * 1000,
      permissions: vscode.FilePermission.Readonly,
    };
  }

  async readDirectory(uri: vscode.Uri): Promise<[string, vscode.FileType][]> {
    const r = await this.call(InitrdReadDirectoryRequest, uri, {});
    if (!r.exists) throw vscode.FileSystemError.FileNotFound(uri);
    return r.entries.map((e) => [
      e.name,
      e.type === 'symlink' && e.resolvedType
        ? fileType(e.resolvedType) | vscode.FileType.SymbolicLink
        : fileType(e.type),
    ]);
  }

  async readFile(uri: vscode.Uri): Promise<Uint8Array> {
    const r = await this.call(InitrdReadFileRequest, uri, { start: 0, end: MAX });
    if (!r.exists) throw vscode.FileSystemError.FileNotFound(uri);
    if (r.error) throw vscode.FileSystemError.Unavailable(r.error);
    if ((r.size ?? 0) > MAX)
      throw vscode.FileSystemError.Unavailable(
        `${uri.path} is ${r.size} bytes: larger than the 64 MiB the editor can open (use \`nixboot initrd cat\`)`,
      );
    return Buffer.from(r.data ?? '', 'base64');
  }

  watch(): vscode.Disposable {
    return new vscode.Disposable(() => undefined);
  }
  createDirectory(uri: vscode.Uri): void {
    throw vscode.FileSystemError.NoPermissions(uri);
  }
  writeFile(uri: vscode.Uri): void {
    throw vscode.FileSystemError.NoPermissions(uri);
  }
  delete(uri: vscode.Uri): void {
    throw vscode.FileSystemError.NoPermissions(uri);
  }
  rename(uri: vscode.Uri): void {
    throw vscode.FileSystemError.NoPermissions(uri);
  }
}
