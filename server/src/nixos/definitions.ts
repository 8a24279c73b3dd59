// Option-path resolution: for every definition in a NixOS module file, the option path it sets.
//
// Handles nested sets, dotted and quoted attribute paths, `config = { … }` in modules that also
// declare `options`, the module-system wrappers (mkIf, mkMerge, mkForce, mkDefault, mkOverride,
// mkBefore, mkAfter, mkOrder, with or without `lib.`), `let` bindings of the same file holding a
// literal set or string, and inline modules in `imports = [ … ]` / `modules = [ … ]` lists (flake
// `nixosSystem` calls). Nothing is evaluated: what cannot be resolved statically is left out.
import type { SyntaxElement, SyntaxNode, SyntaxToken } from '../syntax/tree';
import { isTrivia, TRIVIA } from '../syntax/tree';

/** A dynamic attribute name (`${name}`) in an option path. */
export const DYNAMIC = '<dynamic>';

export interface Definition {
  /** The option path, e.g. ['boot', 'initrd', 'network', 'postCommands']; DYNAMIC for `${…}` names. */
  readonly path: readonly string[];
  /** The attribute (name token or string node) whose binding defines the last path element. */
  readonly key: SyntaxElement;
  /** The Binding node. */
  readonly binding: SyntaxNode;
  /** The value with module-system wrappers and parentheses removed, and let-bound names followed. */
  readonly value: SyntaxNode;
  /** The value as written in the binding. */
  readonly written: SyntaxNode;
  /** Wrappers seen from the outside in, e.g. ['mkIf', 'mkForce']. */
  readonly wrappers: readonly string[];
  /** Defined under a `mkIf`/`optionalAttrs`/`if` that may be false. */
  readonly conditional: boolean;
}

/** A `let` scope: name → value node. */
export type Scope = ReadonlyMap<string, SyntaxNode>;

// ---- small structural helpers over the lossless tree (see syntax/tree.ts for node layouts) ----

export function nodes(n: SyntaxNode): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  for (const c of n.children) if (c.type === 'node') out.push(c);
  return out;
}

export function tokens(n: SyntaxNode): SyntaxToken[] {
  const out: SyntaxToken[] = [];
  for (const c of n.children) if (c.type === 'token' && !isTrivia(c)) out.push(c);
  return out;
}

export function unparen(n: SyntaxNode | undefined): SyntaxNode | undefined {
  while (n && n.kind === 'Paren') n = nodes(n)[0];
  return n;
}

/** The static name of an attribute: an identifier, or a string without interpolation. */
export function attrName(e: SyntaxElement): string | undefined {
  if (e.type === 'token') return e.kind === 'ident' || e.kind.startsWith('kw_') ? e.text : undefined;
  if (e.kind === 'String') {
    if (nodes(e).length > 0) return undefined;
    const raw = e.children
      .filter((c): c is SyntaxToken => c.type === 'token' && c.kind === 'string_content')
      .map((c) => c.text)
      .join('');
    return raw.replace(/\\(.)/gs, (_m, ch: string) =>
      ch === 'n' ? '\n' : ch === 't' ? '\t' : ch === 'r' ? '\r' : ch,
    );
  }
  if (e.kind === 'Ident') return tokens(e)[0]?.text;
  return undefined;
}

/** The parts of an Attrpath node: identifier tokens, String nodes, Interpolation nodes. */
export function attrpathParts(ap: SyntaxNode): SyntaxElement[] {
  const out: SyntaxElement[] = [];
  for (const c of ap.children)
    if (c.type === 'node' || (c.kind !== 'dot' && !TRIVIA.has(c.kind))) out.push(c);
  return out;
}

/** The identifier name of an Ident node (or of a bare ident token). */
export function identName(n: SyntaxElement | undefined): string | undefined {
  if (!n) return undefined;
  if (n.type === 'token') return n.kind === 'ident' ? n.text : undefined;
  return n.kind === 'Ident' ? tokens(n)[0]?.text : undefined;
}

/** Binding and Inherit children of an AttrSet, LetIn or LegacyLet. */
export function bindingsOf(n: SyntaxNode): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  for (const c of n.children)
    if (c.type === 'node' && (c.kind === 'Binding' || c.kind === 'Inherit')) out.push(c);
  return out;
}

export function bindingParts(b: SyntaxNode): {
  attrpath: SyntaxNode | undefined;
  value: SyntaxNode | undefined;
} {
  let attrpath: SyntaxNode | undefined;
  let value: SyntaxNode | undefined;
  for (const c of b.children) {
    if (c.type !== 'node') continue;
    if (attrpath === undefined && c.kind === 'Attrpath') attrpath = c;
    else if (value === undefined && c.kind !== 'Error') value = c;
  }
  return { attrpath, value };
}

/** For `f a b`: the function expression and the arguments, outermost last. */
export function applyChain(n: SyntaxNode): { fn: SyntaxNode; args: SyntaxNode[] } {
  const args: SyntaxNode[] = [];
  let cur: SyntaxNode = n;
  while (cur.kind === 'Apply') {
    const [fn, arg] = nodes(cur);
    if (!fn || !arg) break;
    args.unshift(arg);
    cur = fn;
  }
  return { fn: cur, args };
}

/** The dotted name of a function expression: `mkIf`, `lib.mkIf`, `lib.modules.mkIf` → last part and full. */
export function calleeName(fn: SyntaxNode): string | undefined {
  const f = unparen(fn);
  if (!f) return undefined;
  if (f.kind === 'Ident') return identName(f);
  if (f.kind === 'Select') {
    const ap = nodes(f).find((c) => c.kind === 'Attrpath');
    if (!ap) return undefined;
    const parts = attrpathParts(ap);
    const last = parts[parts.length - 1];
    return last ? attrName(last) : undefined;
  }
  return undefined;
}

/** Let bindings of a LetIn/LegacyLet (or rec set) with static single names. */
export function letScope(n: SyntaxNode, outer: Scope): Scope {
  const scope = new Map(outer);
  for (const b of bindingsOf(n)) {
    if (b.kind !== 'Binding') continue;
    const { attrpath, value } = bindingParts(b);
    if (!attrpath || !value) continue;
    const parts = attrpathParts(attrpath);
    if (parts.length !== 1) continue;
    const name = attrName(parts[0]!);
    if (name !== undefined) scope.set(name, value);
  }
  return scope;
}

const PASSTHROUGH_WRAPPERS = new Set([
  'mkForce',
  'mkDefault',
  'mkBefore',
  'mkAfter',
  'mkImageMediaOverride',
  'mkVMOverride',
  'mkOptionDefault',
]);
const WRAPPERS_WITH_PRIORITY = new Set(['mkOverride', 'mkOrder']);
const CONDITIONAL_WRAPPERS = new Set(['mkIf', 'optionalAttrs', 'optionalString', 'mkIfNotNull']);

export interface Unwrapped {
  readonly value: SyntaxNode;
  readonly wrappers: string[];
  readonly conditional: boolean;
  /** mkMerge / `++`-free lists of alternatives: each element is a separate value. */
  readonly merged?: SyntaxNode[];
}

/**
 * Strips parentheses and module-system wrappers, and follows identifiers bound by `let` in the same
 * file (up to a small depth, so cycles end).
 */
export function unwrapValue(v: SyntaxNode, scope: Scope, depth = 0): Unwrapped {
  const wrappers: string[] = [];
  let conditional = false;
  let cur: SyntaxNode | undefined = v;
  for (let guard = 0; cur && guard < 32; guard++) {
    cur = unparen(cur);
    if (!cur) break;
    if (cur.kind === 'Ident' && depth < 8) {
      const target = scope.get(identName(cur) ?? '');
      if (target && target !== cur) {
        const inner = unwrapValue(target, scope, depth + 1);
        return {
          value: inner.value,
          wrappers: [...wrappers, ...inner.wrappers],
          conditional: conditional || inner.conditional,
          ...(inner.merged ? { merged: inner.merged } : {}),
        };
      }
      break;
    }
    if (cur.kind === 'Apply') {
      const { fn, args } = applyChain(cur);
      const name = calleeName(fn);
      if (name && PASSTHROUGH_WRAPPERS.has(name) && args.length === 1) {
        wrappers.push(name);
        cur = args[0];
        continue;
      }
      if (name && WRAPPERS_WITH_PRIORITY.has(name) && args.length === 2) {
        wrappers.push(name);
        cur = args[1];
        continue;
      }
      if (name && CONDITIONAL_WRAPPERS.has(name) && args.length === 2) {
        wrappers.push(name);
        conditional = true;
        cur = args[1];
        continue;
      }
      if (name === 'mkMerge' && args.length === 1) {
        const list = unparen(args[0]);
        if (list?.kind === 'List')
          return { value: list, wrappers: [...wrappers, 'mkMerge'], conditional, merged: nodes(list) };
      }
      break;
    }
    if (cur.kind === 'IfElse') {
      // `if c then { … } else { }`: the then-branch defines conditionally.
      const [, thenB, elseB] = nodes(cur);
      const elseU = elseB ? unparen(elseB) : undefined;
      const emptyElse =
        elseU &&
        ((elseU.kind === 'AttrSet' && bindingsOf(elseU).length === 0) ||
          (elseU.kind === 'String' && nodes(elseU).length === 0));
      if (thenB && emptyElse) {
        wrappers.push('if');
        conditional = true;
        cur = thenB;
        continue;
      }
      break;
    }
    if (cur.kind === 'LetIn') {
      const body = nodes(cur)
        .filter((c) => c.kind !== 'Binding' && c.kind !== 'Inherit' && c.kind !== 'Error')
        .pop();
      if (!body) break;
      return unwrapValue(body, letScope(cur, scope), depth);
    }
    if (cur.kind === 'With') {
      const body = nodes(cur)[1];
      if (!body) break;
      cur = body;
      continue;
    }
    break;
  }
  return { value: cur ?? v, wrappers, conditional };
}

const MODULE_META_KEYS = new Set([
  'imports',
  'options',
  '_file',
  'key',
  'disabledModules',
  'meta',
  '_class',
  'freeformType',
]);

interface Walk {
  readonly out: Definition[];
  readonly seen: Set<SyntaxNode>;
}

/** All option definitions in a file, in source order. */
/** `text`, when given, is the file's text: a cheap pre-check that skips the module-list scan. */
export function collectDefinitions(root: SyntaxNode, text?: string): Definition[] {
  const w: Walk = { out: [], seen: new Set() };
  const top = nodes(root).find((c) => c.kind !== 'Error');
  if (top) visitModule(top, new Map(), w, false);
  // Inline modules anywhere else in the file: `imports = [ … ]` and `modules = [ … ]` lists.
  if ((text === undefined || MODULE_LIST_WORD.test(text)) && hasModuleLists(root)) scanModuleLists(root, w);
  const byPosition = (a: Definition, b: Definition) =>
    a.binding.start - b.binding.start || a.path.length - b.path.length;
  let sorted = true;
  for (let i = 1; i < w.out.length && sorted; i++) sorted = byPosition(w.out[i - 1]!, w.out[i]!) <= 0;
  if (!sorted) w.out.sort(byPosition);
  return w.out;
}

/** Cheap pre-check on a file's text: can it hold an `imports`/`modules` list at all? */
export const MODULE_LIST_WORD = /\b(?:imports|modules)\b/;

/** A binding `… imports = value;` or `… modules = value;`: which one, and its value. */
export function moduleListOf(
  binding: SyntaxNode,
): { name: 'imports' | 'modules'; value: SyntaxNode } | undefined {
  const { attrpath, value } = bindingParts(binding);
  const parts = attrpath ? attrpathParts(attrpath) : [];
  const last = parts.length > 0 ? attrName(parts[parts.length - 1]!) : undefined;
  return (last === 'imports' || last === 'modules') && value ? { name: last, value } : undefined;
}

/** A module: `{ … }`, `args: { … }`, `let … in { … }`, possibly wrapped. */
function visitModule(expr: SyntaxNode, scope: Scope, w: Walk, conditional: boolean): void {
  let cur: SyntaxNode | undefined = unparen(expr);
  let sc = scope;
  for (let guard = 0; cur && guard < 16; guard++) {
    if (cur.kind === 'Lambda') {
      cur = unparen(
        nodes(cur)
          .filter((c) => c.kind !== 'IdentParam' && c.kind !== 'Pattern')
          .pop(),
      );
      continue;
    }
    if (cur.kind === 'LetIn') {
      sc = letScope(cur, sc);
      cur = unparen(
        nodes(cur)
          .filter((c) => c.kind !== 'Binding' && c.kind !== 'Inherit' && c.kind !== 'Error')
          .pop(),
      );
      continue;
    }
    if (cur.kind === 'With') {
      cur = unparen(nodes(cur)[1]);
      continue;
    }
    break;
  }
  if (!cur) return;
  const u = unwrapValue(cur, sc);
  if (u.merged) {
    for (const m of u.merged) visitModule(m, sc, w, conditional || u.conditional);
    return;
  }
  if (u.value.kind !== 'AttrSet') return;
  const set = u.value;
  if (w.seen.has(set)) return;
  w.seen.add(set);
  const keys = topLevelKeys(set);
  if (keys.has('inputs') && keys.has('outputs')) return; // a flake, not a module
  const hasOptionsOrConfig = keys.has('options') || keys.has('config');
  if (hasOptionsOrConfig && keys.has('config')) {
    for (const b of bindingsOf(set)) {
      if (b.kind !== 'Binding') continue;
      const { attrpath, value } = bindingParts(b);
      if (!attrpath || !value) continue;
      const names = attrpathParts(attrpath).map((p) => attrName(p) ?? DYNAMIC);
      if (names[0] !== 'config') continue;
      if (names.length === 1)
        visitConfigValue(value, [], attrpathParts(attrpath)[0]!, b, sc, w, conditional || u.conditional, []);
      else visitBinding(b, [], sc, w, conditional || u.conditional, 1);
    }
    return;
  }
  visitSet(set, [], sc, w, conditional || u.conditional, true);
}

function topLevelKeys(set: SyntaxNode): Set<string> {
  const keys = new Set<string>();
  for (const b of bindingsOf(set)) {
    if (b.kind !== 'Binding') continue;
    const ap = bindingParts(b).attrpath;
    const first = ap ? attrpathParts(ap)[0] : undefined;
    const name = first ? attrName(first) : undefined;
    if (name) keys.add(name);
  }
  return keys;
}

/**
 * `inherit name;` / `inherit (src) name;` inside a set of option definitions: `name` is defined.
 * Its value is the let binding of the same name when there is one, else unknown (the Inherit
 * node, or the `(src)` part: no literal).
 */
function visitInherit(
  b: SyntaxNode,
  prefix: string[],
  scope: Scope,
  w: Walk,
  conditional: boolean,
  moduleTop: boolean,
): void {
  const from = nodes(b).find((c) => c.kind === 'InheritFrom');
  for (const c of b.children) {
    if (c.type === 'token' ? c.kind !== 'ident' : c.kind !== 'String') continue;
    const name = attrName(c);
    if (name === undefined || (moduleTop && MODULE_META_KEYS.has(name))) continue;
    const path = [...prefix, name];
    const bound = from ? undefined : scope.get(name);
    if (bound) visitConfigValue(bound, path, c, b, scope, w, conditional, []);
    else
      w.out.push({
        path,
        key: c,
        binding: b,
        value: from ?? b,
        written: from ?? b,
        wrappers: [],
        conditional,
      });
  }
}

function visitSet(
  set: SyntaxNode,
  prefix: string[],
  scope: Scope,
  w: Walk,
  conditional: boolean,
  moduleTop: boolean,
): void {
  for (const b of bindingsOf(set)) {
    if (b.kind === 'Inherit') {
      visitInherit(b, prefix, scope, w, conditional, moduleTop);
      continue;
    }
    if (b.kind !== 'Binding') continue;
    if (moduleTop) {
      const ap = bindingParts(b).attrpath;
      const first = ap ? attrpathParts(ap)[0] : undefined;
      const name = first ? attrName(first) : undefined;
      if (name && MODULE_META_KEYS.has(name)) continue;
    }
    visitBinding(b, prefix, scope, w, conditional, 0);
  }
}

function visitBinding(
  b: SyntaxNode,
  prefix: string[],
  scope: Scope,
  w: Walk,
  conditional: boolean,
  skip: number,
): void {
  const { attrpath, value } = bindingParts(b);
  if (!attrpath || !value) return;
  const parts = attrpathParts(attrpath);
  if (parts.length <= skip) return;
  const path = prefix.slice();
  for (let i = skip; i < parts.length; i++) path.push(attrName(parts[i]!) ?? DYNAMIC);
  visitConfigValue(value, path, parts[parts.length - 1]!, b, scope, w, conditional, []);
}

function visitConfigValue(
  written: SyntaxNode,
  path: string[],
  key: SyntaxElement,
  binding: SyntaxNode,
  scope: Scope,
  w: Walk,
  conditional: boolean,
  outerWrappers: string[],
): void {
  const u = unwrapValue(written, scope);
  const wrappers = [...outerWrappers, ...u.wrappers];
  const cond = conditional || u.conditional;
  if (u.merged) {
    for (const m of u.merged) visitConfigValue(m, path, key, binding, scope, w, cond, wrappers);
    return;
  }
  if (path.length > 0)
    w.out.push({ path, key, binding, value: u.value, written, wrappers, conditional: cond });
  if (u.value.kind === 'AttrSet' && !w.seen.has(u.value)) {
    w.seen.add(u.value);
    visitSet(u.value, path, scope, w, cond, path.length === 0);
  }
}

/** Whether any identifier token of the file is `imports` or `modules` (cheap pre-check). */
function hasModuleLists(root: SyntaxNode): boolean {
  const stack: SyntaxNode[] = [root];
  while (stack.length > 0) {
    const n = stack.pop()!;
    for (const c of n.children) {
      if (c.type === 'node') stack.push(c);
      else if (
        c.kind === 'ident' &&
        (c.end - c.start === 7 || c.end - c.start === 8) &&
        (c.text === 'imports' || c.text === 'modules')
      )
        return true;
    }
  }
  return false;
}

function scanModuleLists(root: SyntaxNode, w: Walk): void {
  const visit = (n: SyntaxNode, scope: Scope, depth: number): void => {
    if (depth > 256) return;
    const sc = n.kind === 'LetIn' || n.kind === 'LegacyLet' ? letScope(n, scope) : scope;
    const ml = n.kind === 'Binding' ? moduleListOf(n) : undefined;
    const list = ml ? unwrapValue(ml.value, sc).value : undefined;
    if (list?.kind === 'List') {
      for (const item of nodes(list)) {
        const u = unparen(item);
        if (u && (u.kind === 'AttrSet' || u.kind === 'Lambda' || u.kind === 'LetIn'))
          visitModule(u, sc, w, false);
      }
    }
    // Strings and their contents cannot hold module lists worth scanning.
    if (n.kind === 'String' || n.kind === 'IndString' || n.kind === 'Path') return;
    for (const c of n.children) if (c.type === 'node') visit(c, sc, depth + 1);
  };
  visit(root, new Map(), 0);
}

/** Whether `path` matches `pattern`, where '*' in the pattern matches any one element. */
export function matchPath(path: readonly string[], pattern: readonly string[]): boolean {
  if (path.length !== pattern.length) return false;
  for (let i = 0; i < path.length; i++) if (pattern[i] !== '*' && pattern[i] !== path[i]) return false;
  return true;
}

/** Parses 'boot.initrd.luks.devices.*.preOpenCommands' into a pattern. */
const patterns = new Map<string, readonly string[]>();

/** A dotted pattern split into names (memoised: rules ask for the same few patterns per file). */
export function pattern(dotted: string): readonly string[] {
  let p = patterns.get(dotted);
  if (!p) {
    if (patterns.size > 4096) patterns.clear();
    p = Object.freeze(dotted.split('.'));
    patterns.set(dotted, p);
  }
  return p;
}
