// `initrd:` URIs: initrd://<hex of the image's absolute path, UTF-8>/path/inside/archive
// Hex keeps the authority lower-case (VS Code compares authorities case-insensitively) and free
// of characters an authority may not hold. See docs/initrd.md.
import * as vscode from 'vscode';

export const SCHEME = 'initrd';

export function archiveUri(file: string, inner = '/'): vscode.Uri {
  return vscode.Uri.from({ scheme: SCHEME, authority: Buffer.from(file, 'utf8').toString('hex'), path: inner.startsWith('/') ? inner : `/${inner}` });
}

export function parseUri(uri: vscode.Uri): { file: string; path: string } {
  if (uri.scheme !== SCHEME || !/^([0-9a-f]{2})+$/.test(uri.authority)) throw vscode.FileSystemError.FileNotFound(uri);
  return { file: Buffer.from(uri.authority, 'hex').toString('utf8'), path: uri.path || '/' };
}
