// Incremental reparsing: after an edit inside one binding (`name = value;`), only that binding is
// parsed again and spliced into the previous tree, in place; every token and node after it is
// shifted. The result is the tree `parse(text)` would build (checked by a property test against
// full parses, test/syntax/incremental.test.ts). Anything else — an edit that touches a binding's
// first or last character, a file with syntax errors before or after, a binding that no longer
// parses cleanly on its own, an edit inside a string interpolation — falls back to a full parse.
//
// The previous tree is reused and changed: whoever passes `prev` gives it up.
import { Token } from './lexer';
import { firstAttr, isDynamicAttr, parse, parseBinding } from './parser';
import type { ParseError, ParseResult, SyntaxElement, SyntaxNode } from './tree';

export interface Parsed {
  readonly text: string;
  readonly root: SyntaxNode;
  readonly errors: readonly ParseError[];
}

export interface Reparsed extends ParseResult {
  /** Whether the previous tree was reused (false: a full parse). */
  readonly incremental: boolean;
}

/** `text` parsed, reusing `prev` (the parse of an earlier version of the same file) where it can. */
export function reparse(prev: Parsed, text: string): Reparsed {
  if (prev.text === text) return { root: prev.root, errors: [...prev.errors], incremental: true };
  const spliced = prev.errors.length === 0 ? splice(prev, text) : undefined;
  if (spliced) return { root: spliced, errors: [], incremental: true };
  return { ...parse(text), incremental: false };
}

function splice(prev: Parsed, text: string): SyntaxNode | undefined {
  const old = prev.text;
  const limit = Math.min(old.length, text.length);
  // Common prefix and suffix: whole blocks compared natively first, then character by character.
  const BLOCK = 512;
  let p = 0;
  while (p + BLOCK <= limit && old.slice(p, p + BLOCK) === text.slice(p, p + BLOCK)) p += BLOCK;
  while (p < limit && old.charCodeAt(p) === text.charCodeAt(p)) p++;
  let s = 0;
  while (
    s + BLOCK <= limit - p &&
    old.slice(old.length - s - BLOCK, old.length - s) === text.slice(text.length - s - BLOCK, text.length - s)
  )
    s += BLOCK;
  while (s < limit - p && old.charCodeAt(old.length - 1 - s) === text.charCodeAt(text.length - 1 - s)) s++;
  const oldEnd = old.length - s;
  const delta = text.length - old.length;

  // The innermost binding that holds the edit strictly inside (its first and last characters
  // unchanged), not inside a string interpolation.
  const path: SyntaxNode[] = [];
  let target: SyntaxNode | undefined;
  let targetDepth = 0;
  let cur: SyntaxNode = prev.root;
  for (;;) {
    path.push(cur);
    if (cur.kind === 'Binding') {
      target = cur;
      targetDepth = path.length - 1;
    }
    if (cur.kind === 'Interpolation') break;
    const next = childHolding(cur, p, oldEnd);
    if (!next) break;
    cur = next;
  }
  if (!target) return undefined;
  const parent = target.parent;
  if (!parent) return undefined;
  const firstToken = firstTokenOf(target);
  if (!(firstToken instanceof Token)) return undefined;

  const replacement = parseBinding(text.slice(target.start, target.end + delta), targetDepth);
  if (!replacement) return undefined;
  // A binding of a `let` may not have a dynamic name: an error only the whole parse reports.
  if (parent.kind === 'LetIn') {
    const name = firstAttr(replacement);
    if (name && isDynamicAttr(name)) return undefined;
  }

  // Commit: from here on `prev` is changed.
  const src = firstToken.src;
  src.text = text;
  shift(replacement, target.start, src);
  const index = parent.children.indexOf(target);
  parent.children[index] = replacement;
  replacement.parent = parent;
  if (delta !== 0) {
    let child: SyntaxElement = replacement;
    for (let a: SyntaxNode | undefined = parent; a; child = a, a = a.parent) {
      a.end += delta;
      const from = a.children.indexOf(child as SyntaxNode) + 1;
      for (let i = from; i < a.children.length; i++) shift(a.children[i]!, delta, undefined);
    }
  }
  return prev.root;
}

/** The child node of `n` whose span holds [start, end] strictly inside, if any. */
function childHolding(n: SyntaxNode, start: number, end: number): SyntaxNode | undefined {
  const cs = n.children;
  // Binary search on start: children are in source order and do not overlap.
  let lo = 0;
  let hi = cs.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const c = cs[mid]!;
    if (c.end <= start) lo = mid + 1;
    else if (c.start > start) hi = mid - 1;
    else return c.type === 'node' && c.start < start && end < c.end ? c : undefined;
  }
  return undefined;
}

function firstTokenOf(n: SyntaxNode): SyntaxElement | undefined {
  let cur: SyntaxElement | undefined = n;
  while (cur && cur.type === 'node') cur = cur.children[0];
  return cur;
}

/** Moves an element and everything under it by `delta`; re-homes its tokens to `src` if given. */
function shift(e: SyntaxElement, delta: number, src: Token['src'] | undefined): void {
  const stack: SyntaxElement[] = [e];
  while (stack.length > 0) {
    const x = stack.pop()!;
    if (x.type === 'node') {
      x.start += delta;
      x.end += delta;
      for (const c of x.children) stack.push(c);
    } else {
      const t = x as Token;
      t.start += delta;
      t.end += delta;
      if (src) t.src = src;
    }
  }
}
