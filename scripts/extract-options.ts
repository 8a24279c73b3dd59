// Extracts boot-related option facts (type, default, description) from NixOS module sources.
//
//   npx tsx scripts/extract-options.ts <modules-dir> [--revision REV] [--out server/src/nixos/option-facts.json]
//
// <modules-dir> is laid out like nixpkgs' nixos/modules (only the .nix files under it are read).
// An optional <modules-dir>/SOURCES.json maps each relative path to the nixpkgs revision it was
// read from. Run by hand; the output is committed, the module sources are not. The files are
// parsed with our own parser (server/src/syntax) and nothing is evaluated: `mkOption { … }`,
// `mkEnableOption`, `mkPackageOption` under `options.boot.*`, `options.nix.gc.*` and
// `options.fileSystems` are read as written, submodules (`attrsOf (submodule …)`, `submodule [ a b ]`,
// `{ name, ... }: { options = …; }`, the legacy `options = [ … ]`) are followed through `let`
// bindings of the same file, and option types are rendered the way the NixOS manual names them.
// `imports = [ (mkRenamedOptionModule …) (mkRemovedOptionModule …) … ]` (also `mkChangedOptionModule`,
// `mkAliasOptionModule`, `mkMergedOptionModule` and `map (x: mkRemovedOptionModule ([ … ] ++ [ x ]) …) [ … ]`)
// are recorded as renamed/removed option facts, so the unknown-boot-option rule can name the
// replacement. <modules-dir> may be nixpkgs-shaped (`<dir>/nixos/modules/…`) or modules-shaped.
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import {
  applyChain,
  attrName,
  attrpathParts,
  bindingParts,
  bindingsOf,
  calleeName,
  identName,
  letScope,
  nodes,
  tokens,
  unparen,
  type Scope,
} from '../server/src/nixos/definitions';
import { joinOptionPath, type OptionFact, type OptionFacts } from '../server/src/nixos/options';
import { decodeString } from '../server/src/syntax/decode';
import { parse } from '../server/src/syntax/index';
import type { SyntaxNode } from '../server/src/syntax/tree';

const WANTED = [/^boot(\.|$)/, /^nix\.gc(\.|$)/, /^fileSystems(\.|$)/];

const NAMED_TYPES: Record<string, string> = {
  bool: 'boolean',
  str: 'string',
  string: 'string',
  lines: 'strings concatenated with "\\n"',
  commas: 'strings concatenated with ","',
  int: 'signed integer',
  port: '16 bit unsigned integer; between 0 and 65535 (both inclusive)',
  // nixpkgs' `pathWith` descriptions (path = pathWith { absolute = true; } since 25.05)
  path: 'absolute path',
  pathInStore: 'path in the Nix store',
  externalPath: 'absolute path not in the Nix store',
  package: 'package',
  singleLineStr: '(optionally newline-terminated) single-line string',
  nonEmptyStr: 'non-empty string',
  nonEmptyWithoutTrailingSlash: 'non-empty string without trailing slash',
  attrs: 'attribute set',
  anything: 'anything',
  unspecified: 'unspecified value',
  raw: 'raw value',
  float: 'floating point number',
  number: 'signed integer or floating point number',
  positive: 'positive integer, meaning >0',
  unsigned: 'unsigned integer, meaning >=0',
  u8: '8 bit unsigned integer',
  u16: '16 bit unsigned integer',
  u32: '32 bit unsigned integer',
  s32: '32 bit signed integer',
  envVar: 'string concatenated with ":"',
  separatedString: 'string',
};

/** Types whose values are attribute sets with arbitrary names below the option. */
const OPEN_WRAPPERS = new Set(['attrsOf', 'lazyAttrsOf']);
const OPEN_NAMED = new Set(['attrs', 'anything', 'unspecified', 'raw']);

interface Ctx {
  readonly file: string;
  readonly text: string;
  readonly out: Record<string, OptionFact>;
  /** Renamed and removed options, merged over `out` once every file is read. */
  readonly moved: Record<string, OptionFact>;
}

function strip<T extends SyntaxNode | undefined>(n: T): SyntaxNode | undefined {
  let cur: SyntaxNode | undefined = unparen(n);
  // `with types; …`
  while (cur && cur.kind === 'With') cur = unparen(nodes(cur)[1]);
  return cur;
}

function lastName(n: SyntaxNode | undefined): string | undefined {
  const u = strip(n);
  if (!u) return undefined;
  if (u.kind === 'Ident') return identName(u);
  if (u.kind === 'Select') return calleeName(u);
  return undefined;
}

/** Text of a string literal, interpolations shown as `…`. */
function stringText(n: SyntaxNode | undefined): string | undefined {
  const u = strip(n);
  if (!u) return undefined;
  if (u.kind === 'String' || u.kind === 'IndString') {
    return decodeString(u)
      .map((p) => (p.kind === 'text' ? p.value : '…'))
      .join('');
  }
  if (u.kind === 'Apply') {
    const { fn, args } = applyChain(u);
    const name = calleeName(fn);
    if (
      (name === 'mdDoc' ||
        name === 'literalMD' ||
        name === 'literalExpression' ||
        name === 'literalExample' ||
        name === 'doc') &&
      args.length === 1
    )
      return stringText(args[0]);
  }
  if (u.kind === 'BinaryOp' && tokens(u).some((t) => t.kind === 'add')) {
    const parts = nodes(u).map(stringText);
    return parts.every((p) => p !== undefined) ? parts.join('') : undefined;
  }
  return undefined;
}

/** Markdown/DocBook markup of NixOS option docs, reduced to plain Markdown. */
function cleanDoc(s: string): string {
  return s
    .replace(/\{(option|file|command|var|env|manpage)\}`([^`]*)`/g, '`$2`')
    .replace(/<(literal|option|filename|command|varname|replaceable|code)>([\s\S]*?)<\/\1>/g, '`$2`')
    .replace(
      /<\/?(para|emphasis|link[^>]*|programlisting|note|warning|itemizedlist|listitem|ulink[^>]*)>/g,
      '',
    )
    .replace(/[ \t]+\n/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

function sourceText(ctx: Ctx, n: SyntaxNode): string {
  const t = ctx.text.slice(n.start, n.end).replace(/\s+/g, ' ').trim();
  return t.length > 240 ? `${t.slice(0, 237)}...` : t;
}

/** Type names the manual writes without parentheses inside another type (its "noun" class). */
const NOUNS = new Set(Object.values(NAMED_TYPES));
/** Named types of the "nonRestrictiveClause" class (`list of (unsigned integer, meaning >=0)`). */
const CLAUSES = new Set(['unsigned', 'positive']);

/**
 * A rendered type and its description class, as nixpkgs' lib/types.nix gives them: `noun` (string,
 * submodule), `composite` (list of …, attribute set of …), `conjunction` (… or …, null or …),
 * `nonRestrictiveClause` (string, not containing …). An enclosing type parenthesizes a part whose
 * class it does not accept (`optionDescriptionPhrase`).
 */
type Rendered = { d: string; c?: 'noun' | 'composite' | 'conjunction' | 'nonRestrictiveClause' | 'none' };
type Class = NonNullable<Rendered['c']>;

function phrase(r: Rendered, ...accept: Class[]): string {
  if ((r.c && accept.includes(r.c)) || (!r.c && (!/\s/.test(r.d) || NOUNS.has(r.d)))) return r.d;
  return `(${r.d})`;
}

/** The NixOS manual's name of a type expression. */
function renderType(ctx: Ctx, n: SyntaxNode | undefined, scope: Scope): string {
  return rendered(ctx, n, scope, 0).d;
}

function rendered(ctx: Ctx, n: SyntaxNode | undefined, scope: Scope, depth: number): Rendered {
  const u = strip(n);
  if (!u || depth > 12) return { d: 'unspecified', c: 'noun' };
  const name = lastName(u);
  if (name && (u.kind === 'Ident' || u.kind === 'Select')) {
    if (NAMED_TYPES[name])
      return { d: NAMED_TYPES[name]!, c: CLAUSES.has(name) ? 'nonRestrictiveClause' : 'noun' };
    const bound = u.kind === 'Ident' ? scope.get(name) : undefined;
    if (bound) return rendered(ctx, bound, scope, depth + 1);
    // `format.type` (pkgs.formats settings), `utils.systemdUtils.types.initrdServices`: as written.
    return {
      d: u.kind === 'Select' && !/^(lib\.)?types\./.test(sourceText(ctx, u)) ? sourceText(ctx, u) : name,
    };
  }
  if (u.kind === 'Apply') {
    const { fn, args } = applyChain(u);
    const f = calleeName(fn);
    const a = (i: number) => rendered(ctx, args[i], scope, depth + 1);
    switch (f) {
      case 'listOf':
        return { d: `list of ${phrase(a(0), 'noun', 'composite')}`, c: 'composite' };
      case 'nonEmptyListOf':
        return { d: `non-empty (list of ${phrase(a(0), 'noun', 'composite')})`, c: 'composite' };
      case 'attrsOf':
      case 'lazyAttrsOf':
        return {
          d: `${f === 'lazyAttrsOf' ? 'lazy ' : ''}attribute set of ${phrase(a(0), 'noun', 'composite')}`,
          c: 'composite',
        };
      case 'nullOr':
        return { d: `null or ${phrase(a(0), 'noun', 'conjunction')}`, c: 'conjunction' };
      case 'either':
        return {
          d: `${phrase(a(0), 'noun', 'conjunction')} or ${phrase(a(1), 'noun', 'conjunction', 'composite')}`,
          c: 'conjunction',
        };
      case 'oneOf': {
        const list = strip(args[0]);
        if (list?.kind !== 'List') return { d: 'one of several types' };
        const parts = nodes(list).map((x) => rendered(ctx, x, scope, depth + 1));
        return {
          d: parts
            .map((r, i) => phrase(r, 'noun', 'conjunction', ...(i > 0 ? (['composite'] as Class[]) : [])))
            .join(' or '),
          c: 'conjunction',
        };
      }
      case 'enum': {
        const list = strip(args[0]);
        if (list?.kind !== 'List') return { d: 'one of several values' };
        const values = nodes(list).map((x) => sourceText(ctx, x));
        return values.length === 1
          ? { d: `value ${values[0]} (singular enum)`, c: 'noun' }
          : { d: `one of ${values.join(', ')}`, c: 'conjunction' };
      }
      case 'submodule': {
        const free = freeformTypeOf(args[0], scope);
        // No description class: the manual writes `attribute set of (submodule)`.
        return {
          d: free ? `open submodule of ${rendered(ctx, free, scope, depth + 1).d}` : 'submodule',
          c: 'none',
        };
      }
      case 'mkOptionType': {
        // A custom type: the manual shows its description, else its name.
        const a0 = strip(args[0]);
        const attrs = a0?.kind === 'AttrSet' ? attrsOfSet(a0) : new Map<string, SyntaxNode>();
        return { d: stringText(attrs.get('description')) ?? stringText(attrs.get('name')) ?? 'custom type' };
      }
      case 'functionTo':
        return { d: `function that evaluates to a(n) ${phrase(a(0), 'noun', 'composite')}`, c: 'composite' };
      case 'uniq':
      case 'unique':
        return a(args.length - 1);
      case 'passwdEntry':
        return { d: `${phrase(a(0), 'noun')}, not containing newlines or colons`, c: 'nonRestrictiveClause' };
      case 'addCheck':
        return a(0);
      case 'addCheckDesc':
        return { d: `${a(1).d} (with check: ${stringText(args[0]) ?? 'custom'})` };
      case 'coercedTo':
        return { d: `${phrase(a(2), 'noun')} or ${phrase(a(0), 'noun')} convertible to it` };
      case 'strMatching':
        return { d: `string matching the pattern ${stringText(args[0]) ?? '…'}` };
      case 'ints.between':
      case 'between':
        return {
          d: `integer between ${args[0] ? sourceText(ctx, args[0]) : '?'} and ${args[1] ? sourceText(ctx, args[1]) : '?'} (both inclusive)`,
        };
      default:
        return { d: f ?? sourceText(ctx, u) };
    }
  }
  if (u.kind === 'BinaryOp') {
    // `t // { description = …; }` (a type with its own name in the manual), `t // { merge = …; }`
    const r = strip(nodes(u)[1]);
    const own = r?.kind === 'AttrSet' ? stringText(attrsOfSet(r).get('description')) : undefined;
    return own && !own.includes('…') ? { d: own } : rendered(ctx, nodes(u)[0], scope, depth + 1);
  }
  return { d: sourceText(ctx, u) };
}

/** The `freeformType` of a submodule argument (`{ freeformType = …; options = …; }`, possibly let-bound or a function). */
function freeformTypeOf(n: SyntaxNode | undefined, scope: Scope, depth = 0): SyntaxNode | undefined {
  let u = strip(n);
  if (u?.kind === 'Ident' && depth < 8)
    return freeformTypeOf(scope.get(identName(u) ?? ''), scope, depth + 1);
  while (u && u.kind === 'Lambda')
    u = strip(
      nodes(u)
        .filter((c) => c.kind !== 'IdentParam' && c.kind !== 'Pattern')
        .pop(),
    );
  if (u?.kind !== 'AttrSet') return undefined;
  const b = bindingsOf(u).find((x) => x.kind === 'Binding' && firstName(x) === 'freeformType');
  return b ? bindingParts(b).value : undefined;
}

/**
 * The option sets a submodule argument declares: `{ options = { … }; }`, `{ name, ... }: { options
 * = …; }`, a list of those, or a let-bound name of one. Undefined when it cannot be resolved.
 */
function submoduleOptionSets(n: SyntaxNode | undefined, scope: Scope, depth = 0): SyntaxNode[] | undefined {
  let u = strip(n);
  if (!u || depth > 8) return undefined;
  if (u.kind === 'Ident') {
    const bound = scope.get(identName(u) ?? '');
    return bound ? submoduleOptionSets(bound, scope, depth + 1) : undefined;
  }
  if (u.kind === 'List') {
    const out: SyntaxNode[] = [];
    for (const item of nodes(u)) {
      const sets = submoduleOptionSets(item, scope, depth + 1);
      if (!sets) return undefined;
      out.push(...sets);
    }
    return out;
  }
  while (u && u.kind === 'Lambda')
    u = strip(
      nodes(u)
        .filter((c) => c.kind !== 'IdentParam' && c.kind !== 'Pattern')
        .pop(),
    );
  if (!u || u.kind !== 'AttrSet') return undefined;
  if (bindingsOf(u).some((b) => firstName(b) === 'freeformType')) return undefined;
  const out: SyntaxNode[] = [];
  for (const b of bindingsOf(u)) {
    if (b.kind !== 'Binding' || firstName(b) !== 'options') continue;
    const { attrpath, value } = bindingParts(b);
    if (!attrpath || !value) continue;
    const rest = attrpathParts(attrpath)
      .slice(1)
      .map((p) => attrName(p) ?? '<dynamic>');
    // `options.neededForBoot = mkOption …` inside a submodule: wrap as a one-binding set.
    out.push(rest.length === 0 ? value : synthetic(rest, value));
  }
  return out;
}

/** A pseudo set { rest = value; } for dotted `options.a.b = …` bindings (kept as a small object). */
const SYNTHETIC = new WeakMap<SyntaxNode, { path: string[]; value: SyntaxNode }>();
function synthetic(path: string[], value: SyntaxNode): SyntaxNode {
  const node: SyntaxNode = {
    type: 'node',
    kind: 'AttrSet',
    start: value.start,
    end: value.end,
    children: [],
    parent: undefined,
  };
  SYNTHETIC.set(node, { path, value });
  return node;
}

function firstName(b: SyntaxNode): string | undefined {
  const ap = bindingParts(b).attrpath;
  const first = ap ? attrpathParts(ap)[0] : undefined;
  return first ? attrName(first) : undefined;
}

/** Sub-options of a type, with the path element they add (`<name>` for attrsOf). */
function typeChildren(
  n: SyntaxNode | undefined,
  scope: Scope,
  depth = 0,
): { extra: string[]; sets: SyntaxNode[] } | 'open' | 'leaf' {
  const u = strip(n);
  if (!u || depth > 8) return 'open';
  const name = lastName(u);
  if (name && (u.kind === 'Ident' || u.kind === 'Select')) {
    if (OPEN_NAMED.has(name)) return 'open';
    if (NAMED_TYPES[name]) return 'leaf';
    const bound = u.kind === 'Ident' ? scope.get(name) : undefined;
    return bound ? typeChildren(bound, scope, depth + 1) : 'open'; // e.g. systemdUtils.types.initrdServices
  }
  if (u.kind === 'Apply') {
    const { fn, args } = applyChain(u);
    const f = calleeName(fn);
    if (f === 'submodule') {
      const sets = submoduleOptionSets(args[0], scope);
      return sets ? { extra: [], sets } : 'open';
    }
    if (f && OPEN_WRAPPERS.has(f)) {
      const inner = typeChildren(args[0], scope, depth + 1);
      if (inner === 'leaf' || inner === 'open') return 'open';
      return { extra: ['<name>', ...inner.extra], sets: inner.sets };
    }
    if (f === 'nullOr' || f === 'uniq' || f === 'unique') return typeChildren(args[0], scope, depth + 1);
    if (f === 'addCheck' || f === 'addCheckDesc')
      return typeChildren(args[f === 'addCheck' ? 0 : 1], scope, depth + 1);
    return 'leaf'; // listOf, either, enum, functionTo …
  }
  if (u.kind === 'BinaryOp') return typeChildren(nodes(u)[0], scope, depth + 1);
  return 'open';
}

function attrsOfSet(set: SyntaxNode): Map<string, SyntaxNode> {
  const m = new Map<string, SyntaxNode>();
  for (const b of bindingsOf(set)) {
    if (b.kind !== 'Binding') continue;
    const { attrpath, value } = bindingParts(b);
    if (!attrpath || !value) continue;
    const parts = attrpathParts(attrpath).map((p) => attrName(p) ?? '<dynamic>');
    if (parts.length === 1) m.set(parts[0]!, value);
  }
  return m;
}

function record(ctx: Ctx, path: string[], fact: OptionFact): void {
  const key = joinOptionPath(path);
  if (!WANTED.some((re) => re.test(key))) return;
  const prev = ctx.out[key];
  // Several modules may declare the same submodule option set (fileSystems): keep the richer fact.
  if (prev && (prev.description?.length ?? 0) >= (fact.description?.length ?? 0)) {
    if (fact.open === false && prev.open) ctx.out[key] = { ...prev, open: false };
    return;
  }
  ctx.out[key] = fact;
}

function isLiteral(ctx: Ctx, n: SyntaxNode | undefined, text: string): boolean {
  return n !== undefined && ctx.text.slice(n.start, n.end).trim() === text;
}

/** A default as written; the submodule's own `name` argument is shown as the manual does. */
function renderDefault(ctx: Ctx, def: SyntaxNode): string {
  const t = sourceText(ctx, def);
  return t === 'name' ? '"‹name›"' : t;
}

/**
 * `mkOption { inherit (options.boot.supportedFilesystems) example type description; … }`: fields taken
 * from another option, filled in by extractOptions once every file is read.
 */
const PENDING_INHERITS: Array<{
  out: Record<string, OptionFact>;
  key: string;
  from: string;
  fields: string[];
}> = [];

function inheritedFields(set: SyntaxNode): { from: string; fields: string[] } | undefined {
  for (const inh of nodes(set)) {
    if (inh.kind !== 'Inherit') continue;
    const src = nodes(inh).find((c) => c.kind === 'InheritFrom');
    const expr = src ? nodes(src)[0] : undefined;
    const text = (n: SyntaxNode): string =>
      n.children.map((c) => (c.type === 'node' ? text(c) : c.kind === 'whitespace' ? '' : c.text)).join('');
    const m = expr ? /^options\.([\w.'-]+)$/.exec(text(expr)) : null;
    if (m)
      return {
        from: m[1]!,
        fields: tokens(inh)
          .filter((t) => t.kind === 'ident')
          .map((t) => t.text),
      };
  }
  return undefined;
}

function resolveInherits(options: Record<string, OptionFact>): void {
  for (const p of PENDING_INHERITS.splice(0)) {
    const fact = p.out[p.key];
    const src = options[p.from];
    if (p.out !== options || !fact || !src || fact.declaredIn === undefined) continue;
    const merged: { -readonly [K in keyof OptionFact]: OptionFact[K] } = { ...fact };
    for (const f of p.fields) {
      if (f === 'type')
        Object.assign(merged, { type: src.type }, src.open === undefined ? {} : { open: src.open });
      else if (f === 'description' && src.description !== undefined) merged.description = src.description;
      else if (f === 'example' && src.example !== undefined) merged.example = src.example;
      else if ((f === 'default' || f === 'defaultText') && src.default !== undefined)
        merged.default = src.default;
    }
    if (merged.type !== src.type || p.fields.includes('type')) options[p.key] = merged;
  }
}

function mkOptionFact(
  ctx: Ctx,
  path: string[],
  attrs: Map<string, SyntaxNode>,
  scope: Scope,
  set?: SyntaxNode,
): void {
  const typeNode = attrs.get('type');
  const desc = stringText(attrs.get('description'));
  const defText = attrs.get('defaultText');
  const def = attrs.get('default');
  const example = attrs.get('example');
  const children = typeNode ? typeChildren(typeNode, scope) : 'open';
  const fact: OptionFact = {
    type: typeNode ? renderType(ctx, typeNode, scope) : 'unspecified',
    ...(defText
      ? { default: stringText(defText) ?? sourceText(ctx, defText) }
      : def
        ? { default: renderDefault(ctx, def) }
        : {}),
    ...(desc !== undefined ? { description: cleanDoc(desc) } : {}),
    ...(example ? { example: stringText(example) ?? sourceText(ctx, example) } : {}),
    ...(isLiteral(ctx, attrs.get('internal'), 'true') || isLiteral(ctx, attrs.get('visible'), 'false')
      ? { internal: true }
      : {}),
    ...(isLiteral(ctx, attrs.get('readOnly'), 'true') ? { readOnly: true } : {}),
    declaredIn: ctx.file,
    ...(children === 'leaf' ? {} : { open: children === 'open' }),
  };
  record(ctx, path, fact);
  const inherited = set ? inheritedFields(set) : undefined;
  if (inherited) PENDING_INHERITS.push({ out: ctx.out, key: joinOptionPath(path), ...inherited });
  // Old style: `fileSystems = mkOption { options.neededForBoot = mkOption …; }`.
  const legacy = [...attrs.entries()].filter(([k]) => k === 'options');
  for (const [, v] of legacy) walkOptions(ctx, v, [...path, '<name>'], scope);
  if (children !== 'leaf' && children !== 'open') {
    for (const set of children.sets) walkOptions(ctx, set, [...path, ...children.extra], scope);
  }
}

function walkOptions(ctx: Ctx, n: SyntaxNode | undefined, path: string[], scope: Scope, depth = 0): void {
  if (!n || depth > 40) return;
  const syn = SYNTHETIC.get(n);
  if (syn) return walkOptions(ctx, syn.value, [...path, ...syn.path], scope, depth + 1);
  const u = strip(n);
  if (!u) return;
  if (u.kind === 'Ident') {
    const bound = scope.get(identName(u) ?? '');
    if (bound && bound !== u) walkOptions(ctx, bound, path, scope, depth + 1);
    return;
  }
  if (u.kind === 'LetIn') {
    const body = nodes(u)
      .filter((c) => c.kind !== 'Binding' && c.kind !== 'Inherit' && c.kind !== 'Error')
      .pop();
    return walkOptions(ctx, body, path, letScope(u, scope), depth + 1);
  }
  if (u.kind === 'List') {
    // Legacy `fileSystems = mkOption { options = [ encryptedFSOptions ]; }`.
    for (const item of nodes(u)) walkOptions(ctx, item, path, scope, depth + 1);
    return;
  }
  if (u.kind === 'AttrSet') {
    for (const b of bindingsOf(u)) {
      if (b.kind !== 'Binding') continue;
      const { attrpath, value } = bindingParts(b);
      if (!attrpath || !value) continue;
      const names = attrpathParts(attrpath).map((p) => attrName(p) ?? '<dynamic>');
      walkOptions(ctx, value, [...path, ...names], scope, depth + 1);
    }
    return;
  }
  if (u.kind === 'BinaryOp' && tokens(u).some((t) => t.kind === 'update')) {
    // `mkEnableOption "x" // { description = …; }`
    const [left, right] = nodes(u);
    const r = strip(right);
    const overrides = r?.kind === 'AttrSet' ? attrsOfSet(r) : new Map<string, SyntaxNode>();
    const key = joinOptionPath(path);
    const before = ctx.out[key];
    walkOptions(ctx, left, path, scope, depth + 1);
    const fact = ctx.out[key];
    if (fact && fact !== before) {
      const d = stringText(overrides.get('description'));
      const def = overrides.get('default');
      const defText = overrides.get('defaultText');
      const example = overrides.get('example');
      ctx.out[key] = {
        ...fact,
        ...(d !== undefined ? { description: cleanDoc(d) } : {}),
        ...(defText
          ? { default: stringText(defText) ?? sourceText(ctx, defText) }
          : def
            ? { default: renderDefault(ctx, def) }
            : {}),
        ...(example ? { example: stringText(example) ?? sourceText(ctx, example) } : {}),
        ...(isLiteral(ctx, overrides.get('internal'), 'true') ? { internal: true } : {}),
      };
    }
    return;
  }
  if (u.kind !== 'Apply') return;
  const { fn, args } = applyChain(u);
  const name = calleeName(fn);
  if (name === 'mkOption' && args.length === 1) {
    const a = strip(args[0]);
    if (a?.kind === 'AttrSet') mkOptionFact(ctx, path, attrsOfSet(a), scope, a);
    return;
  }
  if (name === 'mkEnableOption' && args.length === 1) {
    const what = stringText(args[0]);
    // `mkEnableOption null // { description = …; }` has no text of its own.
    record(ctx, path, {
      type: 'boolean',
      default: 'false',
      example: 'true',
      ...(what !== undefined ? { description: `Whether to enable ${cleanDoc(what)}.` } : {}),
      declaredIn: ctx.file,
    });
    return;
  }
  if (name === 'mkPackageOption' && args.length >= 2) {
    const pkg = strip(args[1]);
    const pkgName =
      pkg?.kind === 'List'
        ? nodes(pkg)
            .map((x) => stringText(x) ?? '?')
            .join('.')
        : (stringText(pkg) ?? '…');
    const extra = args[2] ? strip(args[2]) : undefined;
    const extras = extra?.kind === 'AttrSet' ? attrsOfSet(extra) : new Map<string, SyntaxNode>();
    const defaultNode = extras.get('default');
    const defaultName = defaultNode ? (stringText(defaultNode) ?? sourceText(ctx, defaultNode)) : pkgName;
    const extraDescription = stringText(extras.get('extraDescription'));
    const description = `The ${pkgName} package to use.${extraDescription ? ` ${cleanDoc(extraDescription)}` : ''}`;
    record(ctx, path, { type: 'package', default: `pkgs.${defaultName}`, description, declaredIn: ctx.file });
    return;
  }
  if (name === 'mkSinkUndeclaredOptions')
    record(ctx, path, {
      type: 'unspecified',
      description: 'Accepts anything (declared by a sink module).',
      declaredIn: ctx.file,
      open: true,
    });
}

/** Values of a list-of-strings expression: `[ "boot" "x" ]`, `a ++ [ opt ]`, with `env` for lambda parameters. */
function stringList(
  n: SyntaxNode | undefined,
  env: ReadonlyMap<string, string>,
  depth = 0,
): string[] | undefined {
  const u = strip(n);
  if (!u || depth > 8) return undefined;
  if (u.kind === 'List') {
    const out: string[] = [];
    for (const item of nodes(u)) {
      const i = strip(item);
      const v = i?.kind === 'Ident' ? env.get(identName(i) ?? '') : stringText(i);
      if (v === undefined || v.includes('…')) return undefined;
      out.push(v);
    }
    return out;
  }
  if (u.kind === 'BinaryOp' && tokens(u).some((t) => t.kind === 'concat')) {
    const [l, r] = nodes(u).map((x) => stringList(x, env, depth + 1));
    return l && r ? [...l, ...r] : undefined;
  }
  return undefined;
}

function lambdaParts(n: SyntaxNode | undefined): { param: string; body: SyntaxNode } | undefined {
  const u = strip(n);
  if (u?.kind !== 'Lambda') return undefined;
  const param = nodes(u).find((c) => c.kind === 'IdentParam');
  const body = nodes(u)
    .filter((c) => c.kind !== 'IdentParam' && c.kind !== 'Pattern')
    .pop();
  const name = param ? (identName(param) ?? tokens(param).find((t) => t.kind === 'ident')?.text) : undefined;
  return name && body ? { param: name, body } : undefined;
}

function recordMoved(
  ctx: Ctx,
  from: string[] | undefined,
  fact: Omit<OptionFact, 'declaredIn' | 'type'>,
): void {
  if (!from || from.length === 0) return;
  const key = joinOptionPath(from);
  if (!WANTED.some((re) => re.test(key))) return;
  // A rename is newer than any declaration of the old name still read from an older module revision.
  ctx.moved[key] = {
    type: fact.renamedTo ? 'renamed option' : 'removed option',
    ...fact,
    declaredIn: ctx.file,
  };
}

/** `mkRenamedOptionModule [ … ] [ … ]`, `mkRemovedOptionModule [ … ] "why"`, … in an `imports` list. */
function walkImports(
  ctx: Ctx,
  n: SyntaxNode | undefined,
  scope: Scope,
  env: ReadonlyMap<string, string> = new Map(),
  depth = 0,
): void {
  let u = strip(n);
  if (!u || depth > 12) return;
  if (u.kind === 'Ident' && scope.has(identName(u) ?? '')) u = strip(scope.get(identName(u)!));
  if (!u) return;
  if (u.kind === 'List') {
    for (const item of nodes(u)) walkImports(ctx, item, scope, env, depth + 1);
    return;
  }
  if (u.kind === 'BinaryOp' && tokens(u).some((t) => t.kind === 'concat')) {
    for (const side of nodes(u)) walkImports(ctx, side, scope, env, depth + 1);
    return;
  }
  if (u.kind !== 'Apply') return;
  const { fn, args } = applyChain(u);
  const name = calleeName(fn);
  const path = (i: number) => stringList(args[i], env);
  const dotted = (p: string[] | undefined) => (p ? joinOptionPath(p) : undefined);
  switch (name) {
    case 'map': {
      // `map (opt: mkRemovedOptionModule ([ "boot" … ] ++ [ opt ]) "…") [ "a" "b" ]`
      const lam = lambdaParts(args[0]);
      const items = stringList(args[1], env);
      if (!lam || !items) return;
      for (const item of items)
        walkImports(ctx, lam.body, scope, new Map([...env, [lam.param, item]]), depth + 1);
      return;
    }
    case 'mkRenamedOptionModule':
    case 'mkAliasOptionModule':
    case 'mkRenamedOptionModuleWith': {
      if (name === 'mkRenamedOptionModuleWith') {
        const a = strip(args[0]);
        const attrs = a?.kind === 'AttrSet' ? attrsOfSet(a) : new Map<string, SyntaxNode>();
        const to = dotted(stringList(attrs.get('to'), env));
        if (to) recordMoved(ctx, stringList(attrs.get('from'), env), { renamedTo: to });
        return;
      }
      const to = dotted(path(1));
      if (to) recordMoved(ctx, path(0), { renamedTo: to });
      return;
    }
    case 'mkChangedOptionModule': {
      const to = dotted(path(1));
      if (to)
        recordMoved(ctx, path(0), {
          renamedTo: to,
          description: `Replaced by \`${to}\`, whose value is computed from this one.`,
        });
      return;
    }
    case 'mkMergedOptionModule': {
      const to = dotted(path(1));
      const froms = strip(args[0]);
      if (!to || froms?.kind !== 'List') return;
      for (const f of nodes(froms))
        recordMoved(ctx, stringList(f, env), { renamedTo: to, description: `Merged into \`${to}\`.` });
      return;
    }
    case 'mkRemovedOptionModule': {
      const why = stringText(args[1]);
      recordMoved(ctx, path(0), {
        removed:
          cleanDoc(why ?? '')
            .replace(/\s+/g, ' ')
            .trim() || 'Removed from NixOS.',
      });
      return;
    }
    default:
      return;
  }
}

/** Every option fact declared in one module file. */
export function extractFromModule(
  file: string,
  text: string,
  out: Record<string, OptionFact>,
  moved: Record<string, OptionFact> = out,
): void {
  const ctx: Ctx = { file, text, out, moved };
  const { root } = parse(text);
  let cur = strip(nodes(root).find((c) => c.kind !== 'Error'));
  let scope: Scope = new Map();
  for (let guard = 0; cur && guard < 16; guard++) {
    if (cur.kind === 'Lambda')
      cur = strip(
        nodes(cur)
          .filter((c) => c.kind !== 'IdentParam' && c.kind !== 'Pattern')
          .pop(),
      );
    else if (cur.kind === 'LetIn') {
      scope = letScope(cur, scope);
      cur = strip(
        nodes(cur)
          .filter((c) => c.kind !== 'Binding' && c.kind !== 'Inherit' && c.kind !== 'Error')
          .pop(),
      );
    } else break;
  }
  if (!cur || cur.kind !== 'AttrSet') return;
  const imports: SyntaxNode[] = [];
  for (const b of bindingsOf(cur)) {
    if (b.kind === 'Binding' && firstName(b) === 'imports') {
      const { value } = bindingParts(b);
      if (value) imports.push(value);
    }
    if (b.kind !== 'Binding' || firstName(b) !== 'options') continue;
    const { attrpath, value } = bindingParts(b);
    if (!attrpath || !value) continue;
    const rest = attrpathParts(attrpath)
      .slice(1)
      .map((p) => attrName(p) ?? '<dynamic>');
    walkOptions(ctx, value, rest, scope);
  }
  // After the declarations: a rename recorded here wins over a declaration of the old name.
  for (const value of imports) walkImports(ctx, value, scope);
}

function nixFiles(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) nixFiles(p, out);
    else if (name.endsWith('.nix')) out.push(p);
  }
  return out;
}

/** The module's path as nixpkgs names it, for a modules-shaped or a nixpkgs-shaped directory. */
function modulePath(dir: string, file: string): string {
  const rel = relative(dir, file).split(sep).join('/');
  return rel.startsWith('nixos/modules/') ? rel : `nixos/modules/${rel}`;
}

export function extractOptions(dir: string, revision: string): OptionFacts {
  const options: Record<string, OptionFact> = {};
  // Renames and removals are applied after every declaration, whichever file they are in.
  const moved: Record<string, OptionFact> = {};
  for (const f of nixFiles(dir))
    extractFromModule(modulePath(dir, f), readFileSync(f, 'utf8'), options, moved);
  Object.assign(options, moved);
  resolveInherits(options);
  let sources: Record<string, string> = {};
  try {
    sources = JSON.parse(readFileSync(join(dir, 'SOURCES.json'), 'utf8')) as Record<string, string>;
  } catch {
    // optional
  }
  const sorted: Record<string, OptionFact> = {};
  for (const k of Object.keys(options).sort()) sorted[k] = options[k]!;
  return { nixpkgsRevision: revision, sources, options: sorted };
}

/** JSON with one option per line: compact in the bundle, still a readable diff when nixpkgs changes. */
export function serializeFacts(facts: OptionFacts): string {
  const lines = Object.entries(facts.options).map(
    ([k, v]) => `    ${JSON.stringify(k)}: ${JSON.stringify(v)}`,
  );
  return [
    '{',
    `  "nixpkgsRevision": ${JSON.stringify(facts.nixpkgsRevision)},`,
    `  "sources": ${JSON.stringify(facts.sources, null, 4).replace(/\n}$/, '\n  }')},`,
    '  "options": {',
    lines.join(',\n'),
    '  }',
    '}',
    '',
  ].join('\n');
}

function main(argv: string[]): void {
  const dir = argv[0];
  if (!dir || dir.startsWith('-')) {
    console.error('usage: tsx scripts/extract-options.ts <nixos-modules-dir> [--revision REV] [--out FILE]');
    process.exit(2);
  }
  const flag = (name: string) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const out = flag('--out') ?? 'server/src/nixos/option-facts.json';
  const facts = extractOptions(dir, flag('--revision') ?? 'unknown');
  writeFileSync(out, serializeFacts(facts));
  console.log(`${Object.keys(facts.options).length} options from ${dir} -> ${out}`);
}

if (process.argv[1] && /extract-options\.ts$/.test(process.argv[1])) main(process.argv.slice(2));
