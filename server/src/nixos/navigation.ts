// Navigation over the syntax tree and the option resolution: what a position points at (a path
// literal, an option path) and where an option is defined or read in a set of files (the files of
// one host, chosen by the caller from nixos/hosts.ts). Offsets and file paths only; nothing here
// reads the disk (the caller says which candidate file exists) and lsp/ converts to positions.
import { dirname, isAbsolute, join, normalize } from 'node:path';
import type { SyntaxElement, SyntaxNode, SyntaxToken } from '../syntax/tree';
import { TRIVIA } from '../syntax/tree';
import {
  attrName,
  attrpathParts,
  bindingParts,
  DYNAMIC,
  identName,
  nodes,
  type Definition,
} from './definitions';

/** What navigation needs of a file: its path, text, tree and resolved option definitions. */
export interface NavigableFile {
  readonly path: string;
  readonly text: string;
  readonly root: SyntaxNode;
  readonly definitions: readonly Definition[];
}

/** The tokens at `offset`: the one that starts there and the one that ends there (a cursor after a word). */
function tokensAt(root: SyntaxNode, offset: number): SyntaxToken[] {
  const out: SyntaxToken[] = [];
  const visit = (n: SyntaxNode, depth: number): void => {
    if (depth > 512) return;
    for (const c of n.children) {
      if (c.end < offset || c.start > offset) continue;
      if (c.type === 'node') visit(c, depth + 1);
      else if (!TRIVIA.has(c.kind)) out.push(c);
    }
  };
  visit(root, 0);
  // The token the cursor is inside or before wins over the one it is just after.
  return out.sort(
    (a, b) =>
      (a.start === offset ? 0 : 1) - (b.start === offset ? 0 : 1) ||
      (a.end === offset ? 1 : 0) - (b.end === offset ? 1 : 0),
  );
}

function ancestor(e: SyntaxElement, kind: SyntaxNode['kind'], within = 4): SyntaxNode | undefined {
  let cur: SyntaxNode | undefined = e.type === 'node' ? e : e.parent;
  for (let i = 0; cur && i < within; i++, cur = cur.parent) if (cur.kind === kind) return cur;
  return undefined;
}

export interface PathTarget {
  /** The path literal in the file. */
  readonly start: number;
  readonly end: number;
  /** Files it may mean, best first: the path itself, then (a directory) its default.nix. */
  readonly candidates: readonly string[];
}

/**
 * The path literal at `offset` (`./hardware.nix`, `../modules`, `/etc/nixos/x.nix`) and the files it
 * may name, resolved against the file's directory as Nix does. Interpolated paths (`./hosts/${n}`),
 * `~/…` and search paths (`<nixpkgs>`) name no file here.
 */
export function pathTargetAt(
  file: Pick<NavigableFile, 'path' | 'root'>,
  offset: number,
): PathTarget | undefined {
  for (const t of tokensAt(file.root, offset)) {
    if (t.kind !== 'path') continue;
    const lit = ancestor(t, 'Path', 1);
    if (!lit || lit.children.some((c) => c.type === 'node')) return undefined;
    const text = lit.children
      .filter((c): c is SyntaxToken => c.type === 'token' && c.kind === 'path')
      .map((c) => c.text)
      .join('');
    if (text.startsWith('~') || (!isAbsolute(file.path) && !isAbsolute(text))) return undefined;
    const target = normalize(isAbsolute(text) ? text : join(dirname(file.path), text));
    const candidates = target.endsWith('.nix')
      ? [target, join(target, 'default.nix')]
      : [join(target, 'default.nix'), target];
    return { start: t.start, end: t.end, candidates };
  }
  return undefined;
}

export interface OptionAt {
  /** The option path up to the segment under the cursor (`boot.initrd` on `initrd` of `boot.initrd.luks…`). */
  readonly path: readonly string[];
  /** That segment. */
  readonly start: number;
  readonly end: number;
}

/** The part of an attribute path that names path element `index` of a definition, when its binding names it. */
function segmentOf(def: Definition, index: number): SyntaxElement | undefined {
  const ap = bindingParts(def.binding).attrpath;
  if (!ap) return index === def.path.length - 1 ? def.key : undefined; // `inherit name;`
  const parts = attrpathParts(ap);
  // The last part names the last element; earlier parts the ones before (a leading `config` of a
  // module with `options` names none).
  const k = parts.length - (def.path.length - index);
  return k >= 0 && k < parts.length ? parts[k] : undefined;
}

/** `config.a.b.c` in expressions: the option paths a file reads, with the attribute-path parts. */
interface ConfigRead {
  readonly names: readonly string[];
  readonly parts: readonly SyntaxElement[];
}

const readsCache = new WeakMap<SyntaxNode, ConfigRead[]>();

function configReads(root: SyntaxNode): ConfigRead[] {
  let hit = readsCache.get(root);
  if (hit) return hit;
  hit = [];
  const stack: Array<{ n: SyntaxNode; depth: number }> = [{ n: root, depth: 0 }];
  while (stack.length > 0) {
    const { n, depth } = stack.pop()!;
    if (depth > 512) continue;
    if (n.kind === 'Select') {
      const [base, ap] = nodes(n);
      if (base && ap && ap.kind === 'Attrpath' && identName(base) === 'config') {
        const parts = attrpathParts(ap);
        const names: string[] = [];
        for (const p of parts) {
          const name = attrName(p);
          if (name === undefined) break;
          names.push(name);
        }
        if (names.length > 0) hit.push({ names, parts: parts.slice(0, names.length) });
      }
    }
    for (const c of n.children) if (c.type === 'node') stack.push({ n: c, depth: depth + 1 });
  }
  readsCache.set(root, hit);
  return hit;
}

/**
 * The option path at `offset`: a segment of a definition's attribute path (`boot.initrd.luks` in a
 * nested set counts its enclosing sets), or of an option read `config.boot.initrd.enable`.
 */
export function optionAt(
  file: Pick<NavigableFile, 'root' | 'definitions'>,
  offset: number,
): OptionAt | undefined {
  let best: OptionAt | undefined;
  for (const def of file.definitions) {
    const { attrpath } = bindingParts(def.binding);
    const keyStart = attrpath ? attrpath.start : def.key.start;
    const keyEnd = attrpath ? attrpath.end : def.key.end;
    if (offset < keyStart || offset > keyEnd) continue;
    for (let i = 0; i < def.path.length; i++) {
      const seg = segmentOf(def, i);
      if (!seg || offset < seg.start || offset > seg.end) continue;
      const path = def.path.slice(0, i + 1);
      if (!best || path.length > best.path.length) best = { path, start: seg.start, end: seg.end };
    }
  }
  if (best) return best;
  for (const r of configReads(file.root)) {
    const k = r.parts.findIndex((p) => offset >= p.start && offset <= p.end);
    if (k >= 0) return { path: r.names.slice(0, k + 1), start: r.parts[k]!.start, end: r.parts[k]!.end };
  }
  return undefined;
}

export interface OptionLocation {
  readonly file: string;
  /** The attribute (or `config.…` segment) that names the option's last element. */
  readonly start: number;
  readonly end: number;
  /** `definition`: sets it (or something inside it); `read`: `config.…` in an expression. */
  readonly kind: 'definition' | 'read';
}

function startsWith(path: readonly string[], prefix: readonly string[]): boolean {
  if (path.length < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (path[i] !== prefix[i]) return false;
  return true;
}

/**
 * Where `option` is defined (it, or an option inside it: `boot.initrd` is defined by
 * `boot.initrd.luks.devices.x.device = …`) and read (`config.boot.initrd…`) in `files`, in file
 * order then source order, each place once.
 */
export function optionLocations(
  files: readonly NavigableFile[],
  option: readonly string[],
  kinds: { reads?: boolean } = {},
): OptionLocation[] {
  if (option.length === 0 || option.includes(DYNAMIC)) return [];
  const out: OptionLocation[] = [];
  for (const file of files) {
    const seen = new Set<number>();
    const here: OptionLocation[] = [];
    for (const def of file.definitions) {
      if (!startsWith(def.path, option)) continue;
      const seg = segmentOf(def, option.length - 1);
      if (!seg || seen.has(seg.start)) continue;
      seen.add(seg.start);
      here.push({ file: file.path, start: seg.start, end: seg.end, kind: 'definition' });
    }
    if (kinds.reads !== false) {
      for (const r of configReads(file.root)) {
        if (!startsWith(r.names, option)) continue;
        const seg = r.parts[option.length - 1]!;
        if (seen.has(seg.start)) continue;
        seen.add(seg.start);
        here.push({ file: file.path, start: seg.start, end: seg.end, kind: 'read' });
      }
    }
    here.sort((a, b) => a.start - b.start);
    out.push(...here);
  }
  return out;
}
