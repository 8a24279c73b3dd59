// Which linted files make up one machine, and whether the linter read all of it.
//
// A host is what one `nixosSystem { modules = …; }` (or a `configuration.nix` root) really
// includes. Nothing is evaluated; the module graph is read as written:
// - `imports = [ … ]` and `modules = [ … ]` items: path literals (a directory means its
//   default.nix), `import ./x.nix args` (a module given as a function), `./dir + "/x.nix"`, let-bound
//   names and lists, `++`, `optional(s)`, `if … then … else …` (both branches: more files, never
//   fewer), inline modules.
// - A path with an interpolation (`./hosts/${name}`, `../hosts + "/${name}"`), as written by
//   `genAttrs`/`mapAttrs` over a name list or `builtins.readDir`, and by `mkHost`-style helpers, is
//   a pattern: each linted file it matches makes one host (items of the same list that capture the
//   same name belong together).
// - Anything else (a flake input's module `inputs.srvos.nixosModules.server`, `disko.nixosModules.disko`,
//   a function argument, a fetched source, a computed list) cannot be read: the host is *open*, and
//   no rule may claim that something is absent from it (`HostInfo.open`, `HostInfo.unreadable`).
//   NixOS' own modules (`modulesPath + "/…"`, `<nixpkgs/nixos/…>`) are named in `nixpkgsModules`
//   and do not open the host.
// - Every `modules = [ … ]` list is a host of its own. The file holding the list contributes only
//   the inline modules inside that list, so a flake (or a `hosts/default.nix` imported by a
//   flake-parts module) that defines every host is not one host.
// - Roots: the module lists when there are any; otherwise the files no other file imports that are
//   named configuration.nix, or, when there is none and no flake.nix is linted, every file no other
//   file imports (a flake whose hosts cannot be found leaves its files unplaced). A file no
//   root reaches is not placed in a host (`HostInfo.placed = false`): an old copy, an import
//   commented out, a module exported for others. Host-level absence rules stay quiet on it.
// - A clan (a flake.nix built with clan-core): a root machines/NAME/configuration.nix also holds the
//   hardware-configuration.nix and disko.nix beside it, which clan-core imports with no edge in the
//   files (clan-core nixosModules/machineModules/forName.nix); the host is open (clan-core's modules).
import { basename, dirname, join, normalize, relative } from 'node:path';
import type { SyntaxNode } from '../syntax/tree';
import {
  applyChain,
  attrName,
  attrpathParts,
  bindingParts,
  calleeName,
  identName,
  letScope,
  MODULE_LIST_WORD,
  moduleListOf,
  nodes,
  tokens,
  unparen,
  type Scope,
} from './definitions';

/** One item of an `imports`/`modules` list. */
export type ModuleRef =
  | { readonly kind: 'path'; readonly path: string; readonly text: string }
  /** `self.nixosModules.NAME`: the repository's own exported module, found by name among the linted files. */
  | { readonly kind: 'own'; readonly name: string; readonly text: string }
  | { readonly kind: 'pattern'; readonly regex: RegExp; readonly text: string }
  | { readonly kind: 'nixpkgs'; readonly text: string }
  | { readonly kind: 'unreadable'; readonly text: string; readonly dir?: string };

export interface ModuleList {
  /** Offsets of the list value: inline modules inside it belong to this list's host. */
  readonly start: number;
  readonly end: number;
  readonly items: readonly ModuleRef[];
  /** Name of the host for messages: the innermost attribute that holds the call (`web`, `mkHost`). */
  readonly name: string;
  /** The flake input whose `lib.nixosSystem` builds it (`nixpkgs-server`), when written so. */
  readonly input?: string;
}

export interface ModuleRefs {
  /** Items of the file's `imports = [ … ]` lists; `list`: the modules list (index) whose inline module holds it, or -1. */
  readonly imports: ReadonlyArray<{ readonly ref: ModuleRef; readonly list: number }>;
  /** One entry per `modules = [ … ]` list. */
  readonly moduleLists: readonly ModuleList[];
  /** A flake.nix built with clan-core: its `machines/NAME/` directories are machines (see hostGraph). */
  readonly clan?: boolean;
}

/** What a rule knows about the host a file is judged for. */
export interface HostInfo {
  /** e.g. `web (flake.nix)`, `configuration.nix`, or `alpha, beta` for a file shared by hosts. */
  readonly name: string;
  /** Paths of the files the host is made of. */
  readonly files: readonly string[];
  /** Something the host includes could not be read: no rule may claim an absence. */
  readonly open: boolean;
  /** What could not be read, as written (`inputs.srvos.nixosModules.server`, `./hardware-configuration.nix (not linted)`). */
  readonly unreadable: readonly string[];
  /** NixOS' own modules the host imports (`profiles/qemu-guest.nix`), as written. */
  readonly nixpkgsModules: readonly string[];
  /** false: no host includes this file (dead file, exported module): absence rules stay quiet. */
  readonly placed: boolean;
  /** The flake inputs whose `lib.nixosSystem` builds the host(s), when written so. */
  readonly inputs: readonly string[];
  /** How many hosts include the file: more than 1, judged for their union; 0, unplaced. */
  readonly hostCount: number;
}

/** The host of a set of files that do not refer to each other: one closed host of them all. */
export function wholeHost(paths: readonly string[]): HostInfo {
  return {
    name: paths.length === 1 ? basename(paths[0]!) : 'the linted files',
    files: paths,
    open: false,
    unreadable: [],
    nixpkgsModules: [],
    placed: true,
    inputs: [],
    hostCount: 1,
  };
}

const MAX_TEXT = 80;

function short(text: string): string {
  const t = text.replace(/\s+/g, ' ').trim();
  return t.length > MAX_TEXT ? `${t.slice(0, MAX_TEXT - 1)}…` : t;
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The text pieces of a Path or String node: literal text, or null for an interpolation. */
function pieces(n: SyntaxNode): Array<string | null> | undefined {
  const out: Array<string | null> = [];
  for (const c of n.children) {
    if (c.type === 'node') {
      if (c.kind === 'Interpolation') out.push(null);
      else return undefined;
    } else if (c.kind === 'path' || c.kind === 'string_content') out.push(c.text);
    else if (c.kind === 'quote') continue;
    else if (c.kind === 'whitespace') continue;
    else return undefined;
  }
  return out;
}

/** A path made of literal pieces and interpolations: a file path, or a pattern over names. */
function pathRef(ps: Array<string | null>, dir: string, text: string): ModuleRef | undefined {
  const first = ps[0];
  if (typeof first !== 'string' || first.startsWith('<') || first.startsWith('~')) return undefined;
  if (ps.every((p) => p !== null)) {
    const lit = ps.join('');
    return { kind: 'path', path: normalize(lit.startsWith('/') ? lit : join(dir, lit)), text };
  }
  // A pattern: literal parts anchored at the directory, each interpolation one name (no slash).
  const joined = ps.map((p) => (p === null ? '\u0000' : p)).join('');
  const abs = normalize(joined.startsWith('/') ? joined : join(dir, joined));
  const re = abs.split('\u0000').map(escapeRe).join('([^/]+)');
  return { kind: 'pattern', regex: new RegExp(`^${re}(?:/default\\.nix|\\.nix)?$`), text };
}

const NIXPKGS_SEARCH = /^<nixpkgs(?:\/|>)/;
/** nixpkgs modules known to set none of the options absence rules check (hostId, grub devices, initrd ssh, fileSystems). */
const HARMLESS_NIXPKGS =
  /(?:installer\/scan\/(?:not-)?detected|profiles\/(?:qemu-guest|headless|minimal|hardened|base|all-hardware|perlless|bashless))\.nix/;

/** The module reference(s) an item of a module list stands for. */
function itemRefs(
  item: SyntaxNode,
  dir: string,
  text: string,
  scope: Scope,
  depth: number,
  out: ModuleRef[],
): void {
  const n = unparen(item);
  if (!n || depth > 16) return;
  const src = short(text.slice(n.start, n.end));
  switch (n.kind) {
    case 'AttrSet':
    case 'Lambda':
    case 'LetIn':
    case 'With':
      return; // inline module: part of this file
    case 'Path': {
      const ps = pieces(n);
      const r = ps ? pathRef(ps, dir, src) : undefined;
      out.push(r ?? { kind: 'unreadable', text: src });
      return;
    }
    case 'SearchPath': {
      const t = tokens(n)[0]?.text ?? '';
      out.push(NIXPKGS_SEARCH.test(t) ? { kind: 'nixpkgs', text: src } : { kind: 'unreadable', text: src });
      return;
    }
    case 'String': {
      const ps = pieces(n);
      // "${modulesPath}/profiles/x.nix"
      if (ps && ps[0] === null && identName(nodes(nodes(n)[0]!)[0]) === 'modulesPath')
        out.push({ kind: 'nixpkgs', text: src });
      else out.push({ kind: 'unreadable', text: src });
      return;
    }
    case 'BinaryOp': {
      const op = tokens(n).find((t) => t.kind === 'add' || t.kind === 'concat');
      const [l, r] = nodes(n);
      if (op?.kind === 'add' && l && r) {
        const lu = unparen(l);
        const ru = unparen(r);
        if (identName(lu) === 'modulesPath') {
          out.push({ kind: 'nixpkgs', text: src });
          return;
        }
        const lp = lu?.kind === 'Path' ? pieces(lu) : undefined;
        const rp = ru?.kind === 'String' ? pieces(ru) : undefined;
        const ref = lp && rp ? pathRef([...lp, ...rp], dir, src) : undefined;
        out.push(ref ?? { kind: 'unreadable', text: src });
        return;
      }
      if (op?.kind === 'concat' && l && r) {
        listRefs(l, dir, text, scope, depth + 1, out);
        listRefs(r, dir, text, scope, depth + 1, out);
        return;
      }
      out.push({ kind: 'unreadable', text: src });
      return;
    }
    case 'IfElse': {
      const [, a, b] = nodes(n);
      if (a) itemRefs(a, dir, text, scope, depth + 1, out);
      if (b) itemRefs(b, dir, text, scope, depth + 1, out);
      return;
    }
    case 'Select': {
      const m = /^(?:inputs\.)?(?:self|config\.flake|flake)\.nixosModules\.([A-Za-z_][\w'-]*|"[^"$]+")$/.exec(
        src.replace(/\s+/g, ''),
      );
      out.push(
        m ? { kind: 'own', name: m[1]!.replace(/"/g, ''), text: src } : { kind: 'unreadable', text: src },
      );
      return;
    }
    case 'Ident': {
      const name = identName(n) ?? '';
      const target = scope.get(name);
      if (target && target !== n) itemRefs(target, dir, text, scope, depth + 1, out);
      else out.push({ kind: 'unreadable', text: src });
      return;
    }
    case 'Apply': {
      const { fn, args } = applyChain(n);
      const name = calleeName(fn);
      // `import ./x.nix`, `import ./x.nix { inherit inputs; }`: the file's module (or the module it returns).
      if (name === 'import' && args.length >= 1) {
        const a = unparen(args[0]);
        if (a && (a.kind === 'Path' || a.kind === 'BinaryOp' || a.kind === 'SearchPath')) {
          itemRefs(a, dir, text, scope, depth + 1, out);
          return;
        }
      }
      if ((name === 'mkIf' || name === 'optional') && args.length === 2) {
        itemRefs(args[1]!, dir, text, scope, depth + 1, out);
        return;
      }
      const unread: ModuleRef = { kind: 'unreadable', text: src };
      // `builtins.readDir ./modules`, `listFilesRecursive ./modules`: the files under it are included
      // (so they are not dead), but the host stays open (the linter does not run the filter).
      const dirArg = args.map(unparen).find((a) => a?.kind === 'Path');
      if (
        dirArg &&
        /readDir|listFiles|filesystem|haumea|importDir|scanPaths|rakeLeaves|umport/i.test(
          text.slice(n.start, n.end),
        )
      ) {
        const ps = pieces(dirArg);
        const r = ps ? pathRef(ps, dir, src) : undefined;
        out.push(r?.kind === 'path' ? { kind: 'unreadable', text: src, dir: r.path } : unread);
        return;
      }
      out.push(unread);
      return;
    }
    default:
      out.push({ kind: 'unreadable', text: src });
  }
}

/** The references of a list-valued expression (`[ … ]`, `a ++ b`, let names, `optionals c [ … ]`). */
function listRefs(
  value: SyntaxNode,
  dir: string,
  text: string,
  scope: Scope,
  depth: number,
  out: ModuleRef[],
): void {
  const u = unparen(value);
  if (!u || depth > 16) return;
  if (u.kind === 'List') {
    for (const item of nodes(u)) itemRefs(item, dir, text, scope, depth + 1, out);
    return;
  }
  if (u.kind === 'BinaryOp' && tokens(u).some((t) => t.kind === 'concat')) {
    for (const s of nodes(u)) listRefs(s, dir, text, scope, depth + 1, out);
    return;
  }
  if (u.kind === 'Ident') {
    const target = scope.get(identName(u) ?? '');
    if (target && target !== u) listRefs(target, dir, text, scope, depth + 1, out);
    else out.push({ kind: 'unreadable', text: short(text.slice(u.start, u.end)) });
    return;
  }
  if (u.kind === 'With') {
    const body = nodes(u)[1];
    if (body) listRefs(body, dir, text, scope, depth + 1, out);
    return;
  }
  if (u.kind === 'LetIn') {
    const body = nodes(u)
      .filter((c) => c.kind !== 'Binding' && c.kind !== 'Inherit' && c.kind !== 'Error')
      .pop();
    if (body) listRefs(body, dir, text, letScope(u, scope), depth + 1, out);
    return;
  }
  if (u.kind === 'IfElse') {
    const [, a, b] = nodes(u);
    if (a) listRefs(a, dir, text, scope, depth + 1, out);
    if (b) listRefs(b, dir, text, scope, depth + 1, out);
    return;
  }
  if (u.kind === 'Apply') {
    const { fn, args } = applyChain(u);
    const name = calleeName(fn);
    if ((name === 'optionals' || name === 'mkIf') && args.length === 2) {
      listRefs(args[1]!, dir, text, scope, depth + 1, out);
      return;
    }
  }
  itemRefs(u, dir, text, scope, depth + 1, out);
}

/** The innermost attribute name that holds `n` (skipping `modules` and argument sets). */
function holderName(n: SyntaxNode): string {
  let cur: SyntaxNode | undefined = n.parent;
  let skipped = false;
  for (let i = 0; cur && i < 64; i++, cur = cur.parent) {
    if (cur.kind !== 'Binding') continue;
    const ap = bindingParts(cur).attrpath;
    const parts = ap ? attrpathParts(ap) : [];
    const names = parts.map((p) => attrName(p) ?? '${…}');
    if (!skipped && names[names.length - 1] === 'modules') {
      skipped = true;
      continue;
    }
    if (names.length > 0) return names.join('.');
  }
  return 'nixosSystem';
}

/** The flake input of the `X.lib.nixosSystem` / `inputs.X.lib.nixosSystem` call whose argument set holds `n`. */
function builderInput(n: SyntaxNode, text: string): string | undefined {
  let cur: SyntaxNode | undefined = n.parent;
  for (let i = 0; cur && i < 8; i++, cur = cur.parent) {
    if (cur.kind !== 'Apply') continue;
    const { fn } = applyChain(cur);
    const f = unparen(fn);
    if (!f || f.kind !== 'Select') return undefined;
    const parts = text.slice(f.start, f.end).replace(/\s+/g, '').split('.');
    if (parts[parts.length - 1] !== 'nixosSystem' || parts[parts.length - 2] !== 'lib') return undefined;
    const rest = parts.slice(0, -2);
    if (rest[0] === 'inputs' && rest.length === 2) return rest[1];
    return rest.length === 1 ? rest[0] : undefined;
  }
  return undefined;
}

/** For a binding directly in an attribute set given to a call (`f { modules = …; }`): the call. */
function argumentOf(binding: SyntaxNode): SyntaxNode | undefined {
  if (binding.kind === 'Binding') {
    const ap = bindingParts(binding).attrpath;
    if (!ap || attrpathParts(ap).length !== 1) return undefined;
  }
  const set = binding.parent;
  if (set?.kind !== 'AttrSet') return undefined;
  let cur: SyntaxNode | undefined = set.parent;
  while (cur?.kind === 'Paren') cur = cur.parent;
  return cur?.kind === 'Apply' ? cur : undefined;
}

function calleeText(call: SyntaxNode, text: string): string | undefined {
  const f = unparen(applyChain(call).fn);
  return f ? text.slice(f.start, f.end).replace(/\s+/g, '') : undefined;
}

/** Whether a binding sits in a flake-parts module set (`mkFlake … { systems; perSystem; flake; imports; }`), whose imports are flake-parts modules. */
function flakePartsSet(binding: SyntaxNode): boolean {
  const set = binding.parent;
  if (set?.kind !== 'AttrSet') return false;
  for (const b of set.children) {
    if (b.type !== 'node' || b.kind !== 'Binding') continue;
    const ap = bindingParts(b).attrpath;
    const first = ap ? attrpathParts(ap)[0] : undefined;
    const name = first ? attrName(first) : undefined;
    if (name === 'systems' || name === 'perSystem' || name === 'flake' || name === 'debug') return true;
  }
  let cur: SyntaxNode | undefined = set.parent;
  while (cur?.kind === 'Paren') cur = cur.parent;
  if (cur?.kind === 'Apply') {
    const f = unparen(applyChain(cur).fn);
    if (f && /mkFlake$/.test(f.kind === 'Select' || f.kind === 'Ident' ? (calleeName(f) ?? '') : ''))
      return true;
  }
  return false;
}

/** The module references a file makes, resolved against its directory. */
export function moduleRefs(path: string, root: SyntaxNode, text: string): ModuleRefs {
  const imports: Array<{ ref: ModuleRef; list: number }> = [];
  const moduleLists: ModuleList[] = [];
  const isFlake = basename(path) === 'flake.nix';
  if (!MODULE_LIST_WORD.test(text))
    return isFlake && /\bclan-core\b/.test(text)
      ? { imports, moduleLists, clan: true }
      : { imports, moduleLists };
  const dir = dirname(path);
  const listAt = (offset: number): number => {
    for (let k = moduleLists.length - 1; k >= 0; k--)
      if (offset >= moduleLists[k]!.start && offset < moduleLists[k]!.end) return k;
    return -1;
  };
  const addList = (n: SyntaxNode, value: SyntaxNode, sc: Scope): void => {
    const refs: ModuleRef[] = [];
    listRefs(value, dir, text, sc, 0, refs);
    const call = argumentOf(n);
    let callee = call ? calleeText(call, text) : undefined;
    if (call && callee === 'import') {
      // `import <nixpkgs/nixos/lib/eval-config.nix> { modules = …; }`, `import "${nixpkgs}/nixos" { … }`
      const first = applyChain(call).args[0];
      if (first) callee = text.slice(first.start, first.end);
    }
    if (
      callee &&
      !/(?:^|\.)(?:nixosSystem|evalModules)$/.test(callee) &&
      !/eval-config|\/nixos\b/.test(callee)
    ) {
      refs.push({ kind: 'unreadable', text: `what ${short(callee)} adds to these modules` });
    }
    const input = builderInput(n, text);
    moduleLists.push({
      start: value.start,
      end: value.end,
      items: refs,
      name: holderName(n),
      ...(input ? { input } : {}),
    });
  };
  const visit = (n: SyntaxNode, scope: Scope, depth: number): void => {
    if (depth > 256) return;
    const sc = n.kind === 'LetIn' || n.kind === 'LegacyLet' ? letScope(n, scope) : scope;
    const ml = n.kind === 'Binding' ? moduleListOf(n) : undefined;
    const vk = ml ? unparen(ml.value)?.kind : undefined;
    const listLike =
      vk === 'List' ||
      vk === 'BinaryOp' ||
      vk === 'Ident' ||
      vk === 'Apply' ||
      vk === 'IfElse' ||
      vk === 'LetIn' ||
      vk === 'With' ||
      vk === 'Select';
    if (ml && listLike && ml.name === 'imports' && isFlake && !flakePartsSet(n)) {
      // In a flake, an `imports` list is a node's module list (a colmena hive node, a helper's argument): a host.
      addList(n, ml.value, sc);
    } else if (ml && listLike && ml.name === 'imports') {
      const refs: ModuleRef[] = [];
      listRefs(ml.value, dir, text, sc, 0, refs);
      const list = listAt(n.start);
      for (const ref of refs) imports.push({ ref, list });
    } else if (ml && listLike && argumentOf(n)) {
      // `modules = [ … ]` given to a call (`nixosSystem { … }`, a helper): a host.
      addList(n, ml.value, sc);
    } else if (
      n.kind === 'Inherit' &&
      argumentOf(n) &&
      tokens(n).some((t) => t.text === 'modules') &&
      !nodes(n).some((c) => c.kind === 'Paren')
    ) {
      // `nixosSystem { inherit modules; }` with `modules` bound by a let.
      const target = sc.get('modules');
      if (target) addList(n, target, sc);
    }
    // Strings are entered: an interpolation may hold an eval-config call (`${(import <nixpkgs/nixos/lib/eval-config.nix> { modules = …; })…}`).
    if (n.kind === 'Path') return;
    for (const c of n.children) if (c.type === 'node') visit(c, sc, depth + 1);
  };
  visit(root, new Map(), 0);
  return isFlake && /\bclan-core\b/.test(text)
    ? { imports, moduleLists, clan: true }
    : { imports, moduleLists };
}

/** A member of a host: a file, and which of its parts ('top', or a module list's index) count. */
export interface HostMember {
  readonly index: number;
  /** undefined: the whole file. Otherwise the parts: -1 = outside every modules list, k = inside list k. */
  readonly parts?: ReadonlySet<number>;
}

export interface HostGraph {
  /** Per file (by index): its host, and which parts of which files make it. */
  readonly hostOf: ReadonlyArray<{
    readonly info: HostInfo;
    readonly members: readonly HostMember[];
    readonly key: string;
  }>;
}

interface RawHost {
  name: string;
  members: Map<number, Set<number> | undefined>;
  unreadable: Set<string>;
  nixpkgs: Set<string>;
  inputs: Set<string>;
}

/**
 * The hosts of a set of files: for each file, the host it is judged for (the union of every host
 * that includes it), or an unplaced host of its own.
 */
export function hostGraph(
  paths: readonly string[],
  refs: readonly ModuleRefs[],
  rootDir?: string,
): HostGraph {
  const norm = paths.map((p) => normalize(p));
  const byPath = new Map<string, number>();
  norm.forEach((p, i) => byPath.set(p, i));
  const find = (p: string): number | undefined =>
    byPath.get(p) ??
    byPath.get(join(p, 'default.nix')) ??
    (p.endsWith('.nix') ? undefined : byPath.get(`${p}.nix`));
  const rel = (p: string): string => (rootDir ? relative(rootDir, p) || p : p);

  // Resolve a reference to files (or record it as unreadable).
  interface Resolved {
    files: number[];
    unreadable: string[];
    nixpkgs: string[];
    patterns: Array<{ text: string; matches: Map<string, number> }>;
  }
  const resolve = (items: readonly ModuleRef[], self: number): Resolved => {
    const r: Resolved = { files: [], unreadable: [], nixpkgs: [], patterns: [] };
    for (const it of items) {
      if (it.kind === 'path') {
        const j = find(it.path);
        if (j === undefined) r.unreadable.push(`${it.text} (not among the linted files)`);
        else if (j !== self) r.files.push(j);
      } else if (it.kind === 'own') {
        // The exported module's file: modules/nixos/NAME(.nix|/default.nix), nixosModules/NAME…, modules/NAME…
        const re = new RegExp(
          `/(?:modules/nixos|nixos/modules|nixosModules|modules)/(?:[^/]+/)?${escapeRe(it.name)}(?:\\.nix|/default\\.nix)$`,
        );
        const hits = norm.map((p, j) => (re.test(p) ? j : -1)).filter((j) => j >= 0);
        if (hits.length === 1) hits[0] !== self && r.files.push(hits[0]!);
        else
          r.unreadable.push(
            `${it.text} (${hits.length === 0 ? 'no linted file of that name' : 'several linted files of that name'})`,
          );
      } else if (it.kind === 'nixpkgs') {
        r.nixpkgs.push(it.text);
        // NixOS' own modules that set none of the options host-level rules ask about; any other may (digital-ocean-config sets grub devices).
        if (!HARMLESS_NIXPKGS.test(it.text)) r.unreadable.push(`${it.text} (a NixOS module, not read)`);
      } else if (it.kind === 'pattern') {
        const matches = new Map<string, number>();
        norm.forEach((p, j) => {
          const m = it.regex.exec(p);
          if (m && j !== self) {
            const key = m.slice(1).join('\u0000');
            // Prefer the shortest match per name (hosts/a.nix over hosts/a/x/default.nix is impossible; keep first).
            if (!matches.has(key)) matches.set(key, j);
          }
        });
        r.patterns.push({ text: it.text, matches });
      } else {
        r.unreadable.push(it.text);
        if (it.dir) {
          const prefix = it.dir.endsWith('/') ? it.dir : `${it.dir}/`;
          norm.forEach((p, j) => {
            if (p.startsWith(prefix) && j !== self) r.files.push(j);
          });
        }
      }
    }
    return r;
  };

  // Per file, per part (-1 = outside the modules lists, k = inline modules of list k): its imports.
  const importRes = refs.map((r, i) => {
    const byPart = new Map<number, ModuleRef[]>();
    for (const { ref, list } of r.imports) {
      let a = byPart.get(list);
      if (!a) byPart.set(list, (a = []));
      a.push(ref);
    }
    return new Map([...byPart].map(([part, items]) => [part, resolve(items, i)] as const));
  });
  const imported = new Set<number>();
  importRes.forEach((m) => m.forEach((r) => r.files.forEach((j) => imported.add(j))));
  const partsOf = (k: number, parts: ReadonlySet<number> | undefined): Resolved[] =>
    parts === undefined ? [...importRes[k]!.values()] : [...parts].flatMap((p) => importRes[k]!.get(p) ?? []);

  // Hosts from module lists.
  const hosts: RawHost[] = [];
  const listHolder = new Set<number>();
  refs.forEach((r, i) => {
    r.moduleLists.forEach((list, k) => {
      listHolder.add(i);
      const res = resolve(list.items, i);
      const base: RawHost = {
        name: `${list.name} (${rel(norm[i]!)})`,
        members: new Map([[i, new Set([k])]]),
        unreadable: new Set(res.unreadable),
        nixpkgs: new Set(res.nixpkgs),
        inputs: new Set(list.input ? [list.input] : []),
      };
      for (const j of res.files) base.members.set(j, undefined);
      if (res.patterns.length === 0) {
        hosts.push(base);
        return;
      }
      // One host per name the patterns capture.
      const names = new Set<string>();
      for (const p of res.patterns) for (const key of p.matches.keys()) names.add(key);
      if (names.size === 0) {
        for (const p of res.patterns) base.unreadable.add(`${p.text} (no linted file matches)`);
        hosts.push(base);
        return;
      }
      for (const key of [...names].sort()) {
        const h: RawHost = {
          ...base,
          name: `${list.name} "${key.split('\u0000').join('/')}" (${rel(norm[i]!)})`,
          members: new Map(base.members),
          unreadable: new Set(base.unreadable),
        };
        for (const p of res.patterns) {
          const j = p.matches.get(key);
          if (j === undefined) h.unreadable.add(`${p.text} (no linted file for "${key}")`);
          else h.members.set(j, undefined);
        }
        hosts.push(h);
      }
    });
  });

  // A flake whose hosts could not be found (built by a framework or helper the linter does not read):
  // only configuration.nix files are roots, other files are placed in no host.
  const flake = norm.some((p) => basename(p) === 'flake.nix');
  if (hosts.length === 0 && imported.size === 0 && !flake) {
    // The files do not refer to each other: one host of them all (as linted together).
    const unreadable = new Set<string>();
    const nixpkgs = new Set<string>();
    importRes.forEach((m, k) =>
      m.forEach((r) => {
        r.unreadable.forEach((u) => unreadable.add(`${u} — imported by ${rel(norm[k]!)}`));
        r.nixpkgs.forEach((u) => nixpkgs.add(u));
        r.patterns.forEach((pt) => unreadable.add(`${pt.text} — imported by ${rel(norm[k]!)}`));
      }),
    );
    const info: HostInfo = {
      ...wholeHost(norm.map((p) => p)),
      open: unreadable.size > 0,
      unreadable: [...unreadable],
      nixpkgsModules: [...nixpkgs],
    };
    const members = norm.map((_, i) => ({ index: i }));
    const one = { info, members, key: 'all' };
    return { hostOf: norm.map(() => one) };
  }
  {
    // Files no modules list reaches: roots among them as in a repository without lists (a stray ISO
    // builder's list must not make every configuration.nix host dead).
    const reachedByLists = new Set<number>();
    const walk = (starts: Iterable<number>): void => {
      const stack = [...starts];
      while (stack.length > 0) {
        const k = stack.pop()!;
        if (reachedByLists.has(k)) continue;
        reachedByLists.add(k);
        for (const r of importRes[k]!.values()) stack.push(...r.files);
      }
    };
    for (const h of hosts) walk(h.members.keys());
    const importsAny = (i: number) =>
      [...importRes[i]!.values()].some(
        (r) => r.files.length + r.unreadable.length + r.nixpkgs.length + r.patterns.length > 0,
      );
    const roots = norm
      .map((_, i) => i)
      .filter((i) => !imported.has(i) && !reachedByLists.has(i) && !listHolder.has(i));
    const configs = roots.filter((i) => basename(norm[i]!) === 'configuration.nix');
    // Without configuration.nix, a root is a file that imports something; a module nobody imports and that
    // imports nothing is a library module (for a machine-local configuration.nix), not a host. A flake whose
    // hosts could not be found leaves its other files unplaced.
    const chosen = configs.length > 0 || flake ? configs : roots.filter(importsAny);
    // clan-core builds a machine NAME from the clan directory's machines/NAME/configuration.nix and, when they
    // exist, hardware-configuration.nix and disko.nix beside it (clan-core nixosModules/machineModules/forName.nix),
    // with no import edge between them; clan-core's own modules are added too, which the linter cannot read.
    const clanDirs = norm
      .filter((p, k) => basename(p) === 'flake.nix' && refs[k]?.clan)
      .map((p) => dirname(p));
    const indexOf = new Map(norm.map((p, k) => [p, k] as const));
    for (const i of chosen) {
      const h: (typeof hosts)[number] = {
        name: rel(norm[i]!),
        members: new Map([[i, undefined]]),
        unreadable: new Set(),
        nixpkgs: new Set(),
        inputs: new Set(),
      };
      const machineDir = dirname(norm[i]!);
      if (
        basename(norm[i]!) === 'configuration.nix' &&
        clanDirs.some((d) => dirname(machineDir) === join(d, 'machines'))
      ) {
        for (const sibling of ['hardware-configuration.nix', 'disko.nix']) {
          const j = indexOf.get(join(machineDir, sibling));
          if (j !== undefined && !reachedByLists.has(j)) h.members.set(j, undefined);
        }
        h.unreadable.add(`clan-core's machine modules (clan machine ${basename(machineDir)})`);
      }
      hosts.push(h);
    }
    // Import cycles with no root outside them: each file not reached starts a host (only when no
    // configuration.nix names the roots).
    if (configs.length === 0 && !flake) {
      const reached = new Set(reachedByLists);
      const mark = (i: number): void => {
        const stack = [i];
        while (stack.length > 0) {
          const k = stack.pop()!;
          if (reached.has(k)) continue;
          reached.add(k);
          for (const r of importRes[k]!.values()) stack.push(...r.files);
        }
      };
      chosen.forEach(mark);
      for (let i = 0; i < norm.length; i++) {
        if (reached.has(i) || listHolder.has(i) || !importsAny(i)) continue;
        hosts.push({
          name: rel(norm[i]!),
          members: new Map([[i, undefined]]),
          unreadable: new Set(),
          nixpkgs: new Set(),
          inputs: new Set(),
        });
        mark(i);
      }
    }
  }

  // Close each host over `imports` edges. A list-holding file reached by imports contributes only
  // its part outside the lists (-1).
  for (const h of hosts) {
    const stack = [...h.members.keys()];
    const done = new Set<number>();
    while (stack.length > 0) {
      const k = stack.pop()!;
      if (done.has(k)) continue;
      done.add(k);
      for (const res of partsOf(k, h.members.get(k))) {
        res.unreadable.forEach((u) => h.unreadable.add(`${u} — imported by ${rel(norm[k]!)}`));
        res.nixpkgs.forEach((u) => h.nixpkgs.add(u));
        for (const p of res.patterns) {
          if (p.matches.size === 0)
            h.unreadable.add(`${p.text} (no linted file matches) — imported by ${rel(norm[k]!)}`);
          for (const j of p.matches.values()) res.files.includes(j) || res.files.push(j);
        }
        for (const j of res.files) {
          if (!h.members.has(j)) h.members.set(j, listHolder.has(j) ? new Set([-1]) : undefined);
          else {
            const parts = h.members.get(j);
            if (parts && listHolder.has(j) && !parts.has(-1)) {
              parts.add(-1);
              done.delete(j);
            }
          }
          stack.push(j);
        }
      }
    }
  }

  // Per file: the union of its hosts.
  const hostsOf: number[][] = norm.map(() => []);
  hosts.forEach((h, id) => {
    for (const k of h.members.keys()) hostsOf[k]!.push(id);
  });
  const cache = new Map<string, { info: HostInfo; members: HostMember[]; key: string }>();
  const hostOf = norm.map((p, i) => {
    const ids = hostsOf[i]!;
    if (ids.length === 0) {
      const info: HostInfo = {
        name: rel(p),
        files: [p],
        open: true,
        unreadable: [],
        nixpkgsModules: [],
        placed: false,
        inputs: [],
        hostCount: 0,
      };
      return { info, members: [{ index: i }], key: `unplaced:${i}` };
    }
    const key = ids.join(',');
    let hit = cache.get(key);
    if (!hit) {
      const members = new Map<number, Set<number> | undefined>();
      const unreadable = new Set<string>();
      const nixpkgs = new Set<string>();
      const inputs = new Set<string>();
      for (const id of ids) {
        const h = hosts[id]!;
        for (const [k, parts] of h.members) {
          if (!members.has(k)) members.set(k, parts ? new Set(parts) : undefined);
          else {
            const cur = members.get(k);
            if (cur === undefined || parts === undefined) members.set(k, undefined);
            else for (const x of parts) cur.add(x);
          }
        }
        h.unreadable.forEach((u) => unreadable.add(u));
        h.nixpkgs.forEach((u) => nixpkgs.add(u));
        h.inputs.forEach((u) => inputs.add(u));
      }
      const sorted = [...members.keys()].sort((a, b) => a - b);
      const info: HostInfo = {
        name: ids.map((id) => hosts[id]!.name).join(', '),
        files: sorted.map((k) => norm[k]!),
        open: unreadable.size > 0,
        unreadable: [...unreadable],
        nixpkgsModules: [...nixpkgs],
        placed: true,
        inputs: [...inputs],
        hostCount: ids.length,
      };
      hit = {
        info,
        members: sorted.map((k) => {
          const parts = members.get(k);
          return parts ? { index: k, parts } : { index: k };
        }),
        key,
      };
      cache.set(key, hit);
    }
    return hit;
  });
  return { hostOf };
}
