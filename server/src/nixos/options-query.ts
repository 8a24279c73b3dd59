// Small queries over the option definitions of a linted project, shared by the catalogue rules:
// "is this option set to a literal true anywhere", "which strings does this list hold", and text
// edits that add a sibling option next to an existing definition.
import type { FileModel, ProjectModel, TextEdit } from '../rules/types';
import type { SyntaxNode } from '../syntax/tree';
import {
  applyChain,
  bindingParts,
  bindingsOf,
  calleeName,
  identName,
  nodes,
  tokens,
  unparen,
  unwrapValue,
  type Definition,
} from './definitions';

export interface Located {
  readonly file: FileModel;
  readonly def: Definition;
}

export function boolOf(n: SyntaxNode): boolean | undefined {
  const name = identName(unparen(n));
  return name === 'true' ? true : name === 'false' ? false : undefined;
}

const boolCache = new WeakMap<ProjectModel, Map<string, Located[]>>();

/** Definitions of `dotted` anywhere in the project whose value is the literal `want` (memoised per project). */
export function literalBools(project: ProjectModel, dotted: string, want: boolean): Located[] {
  let m = boolCache.get(project);
  if (!m) boolCache.set(project, (m = new Map()));
  const key = `${want}:${dotted}`;
  let hit = m.get(key);
  if (!hit) {
    hit = project.definitions(dotted).filter(({ def }) => boolOf(def.value) === want);
    m.set(key, hit);
  }
  return hit;
}

/** Whether `dotted` is set to literal true somewhere in the project (conditionally or not). */
export function anyTrue(project: ProjectModel, dotted: string): boolean {
  return literalBools(project, dotted, true).length > 0;
}

/** Whether `dotted` is defined at all in the project. */
export function isDefined(project: ProjectModel, dotted: string): boolean {
  return project.definitions(dotted).length > 0;
}

/**
 * A definition of a proper prefix of `dotted` whose value is not a literal attribute set: a
 * whole-attrset copy (`boot.initrd.systemd.network = config.systemd.network;`), a function
 * argument, `inherit x;`. The value of `dotted` is then unknown, not absent.
 */
export function copiedPrefix(project: ProjectModel, dotted: string): Located | undefined {
  const parts = dotted.split('.');
  for (let n = 1; n < parts.length; n++) {
    for (const l of project.definitions(parts.slice(0, n).join('.'))) {
      const u = unparen(l.def.value);
      if (u && u.kind !== 'AttrSet') return l;
    }
  }
  return undefined;
}

/** Whether `dotted` is defined, or may be through a copied parent set (see copiedPrefix). */
export function mayBeDefined(project: ProjectModel, dotted: string): boolean {
  return isDefined(project, dotted) || copiedPrefix(project, dotted) !== undefined;
}

/** Unstable kernel device names: /dev/sda1, /dev/nvme0n1p2, /dev/vdb, /dev/mmcblk0p1, /dev/xvda, /dev/hdb. */
export const UNSTABLE_DEVICE =
  /^\/dev\/(sd[a-z]+\d*|hd[a-z]+\d*|vd[a-z]+\d*|xvd[a-z]+\d*|nvme\d+n\d+(p\d+)?|mmcblk\d+(p\d+)?)$/;

/** The text of a string literal (no interpolation), or undefined. Works without the decoder for plain "…" strings. */
export function plainString(n: SyntaxNode | undefined, text: string): string | undefined {
  const u = unparen(n);
  if (!u || u.kind !== 'String' || nodes(u).length > 0) return undefined;
  const raw = text.slice(u.start + 1, u.end - 1);
  return raw.replace(/\\(.)/gs, (_m, c: string) => (c === 'n' ? '\n' : c === 't' ? '\t' : c));
}

/** Items of a list value (following `++`, module wrappers, `optionals`), like rules/util's listItems. */
export function items(value: SyntaxNode): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  const visit = (n: SyntaxNode | undefined, depth: number): void => {
    if (!n || depth > 32) return;
    const u = unparen(unwrapValue(n, new Map()).value);
    if (!u) return;
    if (u.kind === 'List') out.push(...nodes(u));
    else if (u.kind === 'BinaryOp' && tokens(u).some((t) => t.kind === 'concat'))
      for (const s of nodes(u)) visit(s, depth + 1);
    else if (u.kind === 'Apply') {
      const { fn, args } = applyChain(u);
      const name = calleeName(fn);
      if (name === 'optional' && args.length === 2) out.push(args[1]!);
      if (name === 'optionals' && args.length === 2) visit(args[1], depth + 1);
    }
  };
  visit(value, 0);
  return out;
}

/** Whether a list value has parts we cannot see (a variable, a function call other than optionals). */
export function hasOpaqueParts(value: SyntaxNode): boolean {
  const u = unparen(unwrapValue(value, new Map()).value);
  if (!u) return true;
  if (u.kind === 'List') return false;
  if (u.kind === 'BinaryOp' && tokens(u).some((t) => t.kind === 'concat'))
    return nodes(u).some(hasOpaqueParts);
  if (u.kind === 'Apply') {
    const { fn, args } = applyChain(u);
    const name = calleeName(fn);
    if ((name === 'optional' || name === 'optionals') && args.length === 2)
      return name === 'optionals' ? hasOpaqueParts(args[1]!) : false;
  }
  return true;
}

/**
 * The kernel modules a module-list option (`boot.initrd.availableKernelModules`, `boot.kernelModules`, …)
 * gets in the project: list items, and since NixOS 26.05 also the attrset form (`{ igb = true; }`,
 * `availableKernelModules.igb = true;`; names set to false are not added). `opaque` when some
 * definition cannot be read statically; `defined` when the option is set at all.
 */
export function kernelModuleNames(
  project: ProjectModel,
  option: string,
): { names: string[]; opaque: boolean; defined: boolean } {
  const names: string[] = [];
  let opaque = false;
  const exact = project.definitions(option);
  const named = project.definitions(`${option}.*`);
  for (const { file, def } of exact) {
    const u = unparen(unwrapValue(def.value, new Map()).value);
    if (u?.kind === 'AttrSet') {
      for (const b of bindingsOf(u)) {
        const { attrpath, value } =
          b.kind === 'Binding' ? bindingParts(b) : { attrpath: undefined, value: undefined };
        const name =
          attrpath && tokens(attrpath).length === 1
            ? tokens(attrpath)[0]!.text.replace(/^"(.*)"$/, '$1')
            : undefined;
        const on = value ? boolOf(value) : undefined;
        if (name === undefined || on === undefined) opaque = true;
        else if (on) names.push(name);
      }
    } else if (hasOpaqueParts(def.value)) opaque = true;
    else names.push(...stringItems(def, file.text).map((s) => s.value));
  }
  for (const { def } of named) {
    const on = boolOf(def.value);
    if (on === undefined) opaque = true;
    else if (on) names.push(def.path[def.path.length - 1]!);
  }
  return { names: [...new Set(names)], opaque, defined: exact.length + named.length > 0 };
}

/** String values of a list definition's literal items, with their nodes. */
export function stringItems(def: Definition, text: string): Array<{ node: SyntaxNode; value: string }> {
  const out: Array<{ node: SyntaxNode; value: string }> = [];
  for (const n of items(def.value)) {
    const v = plainString(n, text);
    if (v !== undefined) out.push({ node: unparen(n)!, value: v });
  }
  return out;
}

/** The binding `name = value;` directly inside an attribute set, by its single-name attrpath. */
export function bindingIn(
  set: SyntaxNode,
  name: string,
  text: string,
): { binding: SyntaxNode; value: SyntaxNode } | undefined {
  for (const b of bindingsOf(set)) {
    if (b.kind !== 'Binding') continue;
    const { attrpath, value } = bindingParts(b);
    if (!attrpath || !value) continue;
    if (text.slice(attrpath.start, attrpath.end).replace(/\s+/g, '') === name) return { binding: b, value };
  }
  return undefined;
}

/** Indentation (spaces/tabs) of the line `offset` is on, when only whitespace precedes it. */
function indentAt(text: string, offset: number): string | undefined {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  const before = text.slice(lineStart, offset);
  return /^[ \t]*$/.test(before) ? before : undefined;
}

/**
 * An edit that adds `option = valueText;` right before the binding of `def`, written relative to
 * the same attribute set. Possible when the binding's own attribute path reaches back far enough:
 * for `boot.initrd.network.ssh.enable = true;` (or `network.ssh.enable` inside `boot.initrd = {…}`)
 * we can add `boot.initrd.network.enable`; for `enable = true;` inside `ssh = {…}` we cannot.
 */
export function siblingInsert(
  file: FileModel,
  def: Definition,
  option: readonly string[],
  valueText: string,
): TextEdit | undefined {
  const { attrpath } = bindingParts(def.binding);
  if (!attrpath) return undefined;
  const written = file.text.slice(attrpath.start, attrpath.end).replace(/\s+/g, '').split('.');
  if (written.some((w) => w.includes('"') || w.includes('$'))) return undefined;
  const prefixLen = def.path.length - written.length;
  if (prefixLen < 0 || option.length <= prefixLen) return undefined;
  for (let i = 0; i < prefixLen; i++) if (option[i] !== def.path[i]) return undefined;
  const indent = indentAt(file.text, def.binding.start);
  if (indent === undefined) return undefined;
  const rel = option.slice(prefixLen).map((p) => (/^[A-Za-z_][\w'-]*$/.test(p) ? p : JSON.stringify(p)));
  return {
    start: def.binding.start,
    end: def.binding.start,
    newText: `${rel.join('.')} = ${valueText};\n${indent}`,
  };
}

/** An edit adding `name = valueText;` as the last binding of an attribute set written over several lines. */
export function appendToSet(
  text: string,
  set: SyntaxNode,
  name: string,
  valueText: string,
): TextEdit | undefined {
  const u = unparen(set);
  if (!u || u.kind !== 'AttrSet') return undefined;
  const close = u.children[u.children.length - 1];
  if (!close || close.type !== 'token' || close.kind !== 'r_brace') return undefined;
  const bs = bindingsOf(u);
  const last = bs[bs.length - 1];
  if (!last) return undefined;
  const indent = indentAt(text, last.start);
  if (indent === undefined || !text.slice(u.start, u.end).includes('\n')) {
    return { start: last.end, end: last.end, newText: ` ${name} = ${valueText};` };
  }
  return { start: last.end, end: last.end, newText: `\n${indent}${name} = ${valueText};` };
}

/** An edit removing one element of a list, with the whitespace before it. */
export function removeListItem(text: string, item: SyntaxNode): TextEdit {
  let start = item.start;
  while (start > 0 && (text[start - 1] === ' ' || text[start - 1] === '\t')) start--;
  const end = item.end;
  // Alone on its line: drop the whole line.
  if (start > 0 && text[start - 1] === '\n') {
    const nl = text.indexOf('\n', end);
    if (nl >= 0 && /^[ \t]*$/.test(text.slice(end, nl))) return { start, end: nl + 1, newText: '' };
  }
  return { start, end, newText: '' };
}

/**
 * The module-system priority of a definition (nixpkgs lib/modules.nix: mkOptionDefault 1500,
 * mkDefault 1000, plain 100, mkImageMediaOverride 60, mkForce 50, mkVMOverride 10; lower wins);
 * undefined for `mkOverride N`, whose number is not kept. The innermost priority wrapper decides,
 * as in the module system (`mkDefault (mkForce x)` is mkForce).
 */
export function priorityOf(def: Definition): number | undefined {
  const known: Record<string, number> = {
    mkOptionDefault: 1500,
    mkDefault: 1000,
    mkImageMediaOverride: 60,
    mkForce: 50,
    mkVMOverride: 10,
  };
  for (let i = def.wrappers.length - 1; i >= 0; i--) {
    const w = def.wrappers[i]!;
    if (w === 'mkOverride') return undefined;
    if (known[w] !== undefined) return known[w];
  }
  return 100;
}

/**
 * Whether another definition of the same option may override `def`'s literal boolean value: one
 * with a different (or not literal) value and a higher priority (`lib.mkForce false` over a plain
 * `true`, a plain `false` over `mkDefault true`), or where a priority is unknown (`mkOverride N`).
 * Such a value may not be in effect, so rules claiming it is stay quiet.
 */
export function mayBeOverridden(project: ProjectModel, dotted: string, def: Definition): boolean {
  const mine = priorityOf(def);
  const value = boolOf(def.value);
  for (const { def: other } of project.definitions(dotted)) {
    if (other === def) continue;
    const theirs = boolOf(other.value);
    if (value !== undefined && theirs === value) continue;
    const p = priorityOf(other);
    if (mine === undefined || p === undefined || p < mine) return true;
  }
  return false;
}
