// Document symbols of a Nix file (the editor's Outline and breadcrumbs), read from the syntax tree.
//
// One symbol per binding as written: a dotted attribute path is one symbol (`luks.devices`, as
// nil shows it), its children are the bindings of the set(s) its value holds. Values are looked
// through where a set is still the value: parentheses, module-system wrappers (`mkIf c { … }`,
// `mkMerge [ { … } ]`), `let … in`, `with …;`, function bodies, both branches of `if`, list
// items (`modules = [ { … } ]`), `//` operands and call arguments (`nixosSystem { … }`). `let`
// bindings and `inherit`ed names are symbols too, and the arguments of a function bound to a name
// (`mkHost = { name, system }: …`) are its children. A broken file still gives the symbols of
// what parsed (bindings after an error are in the tree). Offsets only: lsp/ converts them.
import type { SyntaxElement, SyntaxNode, SyntaxToken } from '../syntax/tree';
import { TRIVIA } from '../syntax/tree';
import {
  applyChain,
  attrName,
  attrpathParts,
  bindingParts,
  calleeName,
  nodes,
  tokens,
  unparen,
} from './definitions';

export type SymbolKind =
  | 'set'
  | 'attribute'
  | 'let'
  | 'function'
  | 'argument'
  | 'list'
  | 'string'
  | 'number'
  | 'bool'
  | 'path'
  | 'null';

export interface DocumentSymbol {
  /** The attribute path as written, without whitespace (`boot.initrd`, `"crypt-root"`, `${name}`). */
  readonly name: string;
  /** A short preview of a leaf's value, or the wrappers of a set (`mkIf`). */
  readonly detail?: string;
  readonly kind: SymbolKind;
  /** The whole binding, trivia excluded. */
  readonly start: number;
  readonly end: number;
  /** The name: the attribute path, the inherited name, the argument. */
  readonly selectionStart: number;
  readonly selectionEnd: number;
  readonly children: readonly DocumentSymbol[];
}

const MAX_DEPTH = 200;
const MAX_DETAIL = 60;

/** The first and last significant (non-trivia) token offsets of an element. */
function significant(e: SyntaxElement): { start: number; end: number } {
  return { start: firstToken(e)?.start ?? e.start, end: lastToken(e)?.end ?? e.end };
}

function firstToken(e: SyntaxElement): SyntaxToken | undefined {
  if (e.type === 'token') return TRIVIA.has(e.kind) ? undefined : e;
  for (const c of e.children) {
    const t = firstToken(c);
    if (t) return t;
  }
  return undefined;
}

function lastToken(e: SyntaxElement): SyntaxToken | undefined {
  if (e.type === 'token') return TRIVIA.has(e.kind) ? undefined : e;
  for (let i = e.children.length - 1; i >= 0; i--) {
    const t = lastToken(e.children[i]!);
    if (t) return t;
  }
  return undefined;
}

/** The text of an element with its whitespace and comments left out (`boot . initrd` → `boot.initrd`). */
function compact(text: string, e: SyntaxElement): string {
  if (e.type === 'token') return TRIVIA.has(e.kind) ? '' : e.text;
  let out = '';
  for (const c of e.children) out += compact(text, c);
  return out;
}

/** The first characters of text[start, end) on one line (a long value is not copied whole). */
function preview(text: string, start: number, end: number): string {
  return oneLine(text.slice(start, Math.min(end, start + 4 * MAX_DETAIL)));
}

function oneLine(s: string): string {
  const t = s.replace(/\s+/g, ' ').trim();
  return t.length > MAX_DETAIL ? `${t.slice(0, MAX_DETAIL - 1)}…` : t;
}

const WRAPPERS = new Set([
  'mkIf',
  'mkMerge',
  'mkForce',
  'mkDefault',
  'mkBefore',
  'mkAfter',
  'mkOverride',
  'mkOrder',
  'mkOptionDefault',
  'mkImageMediaOverride',
  'mkVMOverride',
  'optionalAttrs',
  'mkIfNotNull',
]);

interface Walker {
  readonly text: string;
}

/** What a value is, seen through parentheses and module-system wrappers (for the symbol's kind and detail). */
function describe(w: Walker, value: SyntaxNode | undefined): { kind: SymbolKind; detail?: string } {
  const wrappers: string[] = [];
  let v = unparen(value);
  for (let guard = 0; v && v.kind === 'Apply' && guard < 8; guard++) {
    const { fn, args } = applyChain(v);
    const name = calleeName(fn);
    if (!name || !WRAPPERS.has(name) || args.length === 0) break;
    wrappers.push(name);
    v = unparen(args[args.length - 1]);
  }
  const wrapped = wrappers.length > 0 ? wrappers.join(' ') : undefined;
  if (!v) return { kind: 'attribute' };
  const leaf = (kind: SymbolKind) => ({ kind, detail: preview(w.text, value!.start, value!.end) });
  switch (v.kind) {
    case 'AttrSet':
    case 'LetIn':
    case 'With':
      return { kind: 'set', ...(wrapped ? { detail: wrapped } : {}) };
    case 'Lambda':
      return { kind: 'function' };
    case 'Apply': {
      // A call given a set (`nixpkgs.lib.nixosSystem { … }`, `import ./x.nix { … }`): named by its function.
      const { fn, args } = applyChain(v);
      if (args.some((a) => unparen(a)?.kind === 'AttrSet'))
        return { kind: 'set', detail: preview(w.text, fn.start, fn.end) };
      return leaf('attribute');
    }
    case 'List':
      // `mkMerge [ { … } { … } ]` merges sets.
      return { kind: wrappers.includes('mkMerge') ? 'set' : 'list', ...(wrapped ? { detail: wrapped } : {}) };
    case 'String':
    case 'IndString':
      return leaf('string');
    case 'Path':
    case 'SearchPath':
      return leaf('path');
    case 'Literal':
      return leaf(tokens(v)[0]?.kind === 'uri' ? 'string' : 'number');
    case 'Ident': {
      const name = tokens(v)[0]?.text;
      if (name === 'true' || name === 'false') return leaf('bool');
      if (name === 'null') return leaf('null');
      return leaf('attribute');
    }
    default:
      return leaf('attribute');
  }
}

/** Symbols of the bindings of a set or `let` (and of sets found in their values). */
function bindingSymbols(
  w: Walker,
  container: SyntaxNode,
  asLet: boolean,
  depth: number,
  out: DocumentSymbol[],
): void {
  for (const c of container.children) {
    if (c.type !== 'node') continue;
    if (c.kind === 'Binding') out.push(bindingSymbol(w, c, asLet, depth + 1));
    else if (c.kind === 'Inherit') inheritSymbols(w, c, asLet, out);
    else if (c.kind === 'Error') bindingSymbols(w, c, asLet, depth + 1, out); // bindings kept inside an error
  }
}

function bindingSymbol(w: Walker, b: SyntaxNode, asLet: boolean, depth: number): DocumentSymbol {
  const { attrpath, value } = bindingParts(b);
  const range = significant(b);
  const sel = attrpath ? significant(attrpath) : range;
  const name = attrpath
    ? attrpathParts(attrpath)
        .map((p) => compact(w.text, p))
        .join('.')
    : compact(w.text, b).slice(0, MAX_DETAIL);
  const { kind, detail } = describe(w, value);
  const children: DocumentSymbol[] = [];
  if (value && depth < MAX_DEPTH) {
    const fn = unparen(value);
    if (fn?.kind === 'Lambda') argumentSymbols(w, fn, children);
    valueSymbols(w, value, depth + 1, children);
  }
  return {
    name: name || '<binding>',
    ...(detail ? { detail } : {}),
    kind: asLet && kind !== 'function' ? (kind === 'set' ? 'set' : 'let') : kind,
    start: range.start,
    end: Math.max(range.end, sel.end),
    selectionStart: sel.start,
    selectionEnd: sel.end,
    children,
  };
}

function inheritSymbols(w: Walker, n: SyntaxNode, asLet: boolean, out: DocumentSymbol[]): void {
  const range = significant(n);
  const from = nodes(n).find((c) => c.kind === 'InheritFrom');
  const detail = from ? `inherit ${preview(w.text, from.start, from.end)}` : 'inherit';
  for (const c of n.children) {
    if (c.type === 'token' ? c.kind !== 'ident' : c.kind !== 'String') continue;
    const name = attrName(c) ?? compact(w.text, c);
    const sel = significant(c);
    out.push({
      name,
      detail,
      kind: asLet ? 'let' : 'attribute',
      start: range.start,
      end: range.end,
      selectionStart: sel.start,
      selectionEnd: sel.end,
      children: [],
    });
  }
}

/** `{ name, system ? "x86_64-linux", ... }:` and `args:`: the function's arguments. */
function argumentSymbols(w: Walker, lambda: SyntaxNode, out: DocumentSymbol[]): void {
  for (const p of nodes(lambda)) {
    if (p.kind === 'IdentParam') {
      const r = significant(p);
      out.push({
        name: compact(w.text, p),
        kind: 'argument',
        start: r.start,
        end: r.end,
        selectionStart: r.start,
        selectionEnd: r.end,
        children: [],
      });
    } else if (p.kind === 'Pattern') {
      for (const e of nodes(p)) {
        if (e.kind !== 'PatEntry') continue;
        const id = e.children.find((t): t is SyntaxToken => t.type === 'token' && t.kind === 'ident');
        if (!id) continue;
        const r = significant(e);
        out.push({
          name: id.text,
          kind: 'argument',
          start: r.start,
          end: r.end,
          selectionStart: id.start,
          selectionEnd: id.end,
          children: [],
        });
      }
    }
  }
}

/**
 * The symbols a value contributes: the bindings of every set it holds where a set is still the
 * value (see the head of this file), in source order.
 */
function valueSymbols(w: Walker, value: SyntaxNode, depth: number, out: DocumentSymbol[]): void {
  if (depth > MAX_DEPTH) return;
  switch (value.kind) {
    case 'AttrSet':
      bindingSymbols(w, value, false, depth, out);
      return;
    case 'LetIn':
    case 'LegacyLet':
      bindingSymbols(w, value, value.kind === 'LetIn', depth, out);
      for (const c of nodes(value))
        if (c.kind !== 'Binding' && c.kind !== 'Inherit' && c.kind !== 'Error')
          valueSymbols(w, c, depth + 1, out);
      return;
    case 'Paren':
    case 'With':
    case 'Assert':
    case 'IfElse':
    case 'List':
    case 'Error':
      for (const c of nodes(value)) valueSymbols(w, c, depth + 1, out);
      return;
    case 'Lambda': {
      const body = nodes(value)
        .filter((c) => c.kind !== 'IdentParam' && c.kind !== 'Pattern')
        .pop();
      if (body) valueSymbols(w, body, depth + 1, out);
      return;
    }
    case 'Apply': {
      // `mkIf c { … }`, `nixosSystem { … }`, `import ./x.nix { … }`: the sets among the arguments.
      const { args } = applyChain(value);
      for (const a of args) valueSymbols(w, a, depth + 1, out);
      return;
    }
    case 'BinaryOp': {
      const op = tokens(value).find((t) => t.kind === 'update' || t.kind === 'concat');
      if (op) for (const c of nodes(value)) valueSymbols(w, c, depth + 1, out);
      return;
    }
    default:
      return;
  }
}

/**
 * The document symbols of a parsed file: the bindings of its top-level expression (a module's set,
 * a flake's outputs, a `let` file) as a hierarchy. Never throws; an empty or unparsable file has none.
 */
export function documentSymbols(root: SyntaxNode, text: string): DocumentSymbol[] {
  const w: Walker = { text };
  const out: DocumentSymbol[] = [];
  for (const c of nodes(root)) valueSymbols(w, c, 0, out);
  return out;
}
