// `initrd:` URIs: initrd://<hex of the image's absolute path, UTF-8>/path/inside/archive?{"label":" — <image name>"}
// Hex keeps the authority lower-case (VS Code compares authorities case-insensitively) and free
// of characters an authority may not hold. The query names the image for people: the
// `resourceLabelFormatters` contribution (package.json) shows `${path}${query.label}`, so a tab
// reads "init — initrd: gen 3 · Linux 6.12.59 · 2026-11-22" and the Problems group of that file
// "init  / — initrd: gen 3 · …"; a URI without the query (written before names were added) reads
// as its path, as before. The file system ignores the query. See docs/initrd.md.
import * as vscode from 'vscode';
import { labelQuery } from './label';

export const SCHEME = 'initrd';

/** The names of images (file → "initrd: gen 3 · …"), set where the engine named them; archiveUri() puts them in URIs. */
const names = new Map<string, string>();
const renamed = new vscode.EventEmitter<string>();
/** Fires with the image file whose name changed (its `initrd:` URIs change with it). */
export const onDidRenameImage = renamed.event;

/** Records the engine's name of `file`; returns whether it changed. */
export function setImageName(file: string, title: string): boolean {
  if (!title || names.get(file) === title) return false;
  names.set(file, title);
  renamed.fire(file);
  return true;
}

export function imageName(file: string): string | undefined {
  return names.get(file);
}

export function archiveUri(file: string, inner = '/'): vscode.Uri {
  const title = names.get(file);
  return vscode.Uri.from({
    scheme: SCHEME,
    authority: Buffer.from(file, 'utf8').toString('hex'),
    path: inner.startsWith('/') ? inner : `/${inner}`,
    ...(title ? { query: labelQuery(title) } : {}),
  });
}

export function parseUri(uri: vscode.Uri): { file: string; path: string } {
  if (uri.scheme !== SCHEME || !/^([0-9a-f]{2})+$/.test(uri.authority))
    throw vscode.FileSystemError.FileNotFound(uri);
  return { file: Buffer.from(uri.authority, 'hex').toString('utf8'), path: uri.path || '/' };
}

/** Whether `uri` is in the image `file` (whatever name its query carries). */
export function inImage(uri: vscode.Uri, file: string): boolean {
  return uri.scheme === SCHEME && uri.authority === Buffer.from(file, 'utf8').toString('hex');
}
