// Helpers shared by rules: reading literal values and embedded scripts out of definitions.
import {
  applyChain,
  calleeName,
  identName,
  nodes,
  tokens,
  unparen,
  unwrapValue,
  type Definition,
} from '../nixos/definitions';
import { SYSTEMD_STAGE1_DEFAULT_COMMANDS, SYSTEMD_STAGE1_SCRIPT_OPTIONS } from '../nixos/stage1';
import {
  base,
  dottedName,
  fileBindings,
  PACKAGE_BINARIES,
  provisionItems,
  resolveInterpolation,
} from '../nixos/stage1Contents';

export { dottedName };
import { analyzeShell, type ShellAnalysis } from '../shell/analyze';
import { PLACEHOLDER_RE, scriptFromString, type ShellScript } from '../shell/source';
import type { ProjectModel } from './types';
import { decodeString } from '../syntax/decode';
import type { SyntaxNode } from '../syntax/tree';

/**
 * The string literals that make up a string-valued expression: a string, `a + b`, `optionalString
 * c s`, `concatStringsSep sep [ … ]`, `concatLines [ … ]`, module wrappers. Other parts (unknown
 * values) are skipped.
 */
function stringPieces(value: SyntaxNode): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  const visit = (n: SyntaxNode | undefined, depth: number): void => {
    if (!n || depth > 32) return;
    const v = unwrapValue(n, new Map()).value;
    const u = unparen(v);
    if (!u) return;
    if (u.kind === 'String' || u.kind === 'IndString') {
      out.push(u);
      return;
    }
    if (u.kind === 'BinaryOp') {
      const op = tokens(u).find((t) => t.kind === 'add');
      if (op) for (const side of nodes(u)) visit(side, depth + 1);
      return;
    }
    if (u.kind === 'Apply') {
      const { fn, args } = applyChain(u);
      const name = calleeName(fn);
      if ((name === 'concatStringsSep' || name === 'concatMapStrings') && args.length === 2) {
        const list = unparen(args[1]);
        if (list?.kind === 'List') for (const item of nodes(list)) visit(item, depth + 1);
      } else if ((name === 'concatLines' || name === 'concatStrings') && args.length === 1) {
        const list = unparen(args[0]);
        if (list?.kind === 'List') for (const item of nodes(list)) visit(item, depth + 1);
      } else if (name === 'optionalString' && args.length === 2) visit(args[1], depth + 1);
    }
  };
  visit(value, 0);
  return out;
}

export interface AnalysedScript {
  readonly script: ShellScript;
  readonly shell: ShellAnalysis;
}

const scriptCache = new WeakMap<SyntaxNode, AnalysedScript>();

/** Every embedded script of a definition, parsed (cached per string node). */
export function scriptsOf(def: Definition): AnalysedScript[] {
  return stringPieces(def.value).map((s) => {
    let hit = scriptCache.get(s);
    if (!hit) {
      const script = scriptFromString(s);
      hit = { script, shell: analyzeShell(script.text) };
      scriptCache.set(s, hit);
    }
    return hit;
  });
}

/** The integer a value is written as, if literal. */
export function literalInt(n: SyntaxNode): number | undefined {
  const u = unparen(n);
  if (u?.kind === 'Literal') {
    const t = tokens(u)[0];
    if (t?.kind === 'int') return Number(t.text);
  }
  if (u?.kind === 'UnaryOp') {
    const inner = nodes(u)[0];
    const v = inner ? literalInt(inner) : undefined;
    return v === undefined ? undefined : -v;
  }
  return undefined;
}

export function literalBool(n: SyntaxNode): boolean | undefined {
  const name = identName(unparen(n));
  return name === 'true' ? true : name === 'false' ? false : undefined;
}

export function isNull(n: SyntaxNode): boolean {
  return identName(unparen(n)) === 'null';
}

/** The value of a string literal without interpolations. */
export function literalString(n: SyntaxNode): string | undefined {
  const u = unparen(n);
  if (!u || (u.kind !== 'String' && u.kind !== 'IndString')) return undefined;
  const parts = decodeString(u);
  if (parts.some((p) => p.kind !== 'text')) return undefined;
  return parts.map((p) => (p.kind === 'text' ? p.value : '')).join('');
}

/** `1 generation`, `2 generations`. */
export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

// ---------------------------------------------------------------------------------------------
// Scripted stage 1: busybox, extra-utils, and what extraUtilsCommands copies.

export interface ScriptedContents {
  /** Names copied by boot.initrd.extraUtilsCommands (copy_bin_and_libs, cp, ln). */
  readonly names: ReadonlySet<string>;
  /** Something copied that we cannot name (a glob, a variable). */
  readonly unknownNames: boolean;
}

const scriptedCache = new WeakMap<ProjectModel, ScriptedContents>();

export function scriptedStage1Contents(project: ProjectModel): ScriptedContents {
  const hit = scriptedCache.get(project);
  if (hit) return hit;
  const names = new Set<string>();
  let unknownNames = false;
  for (const { def } of project.definitions('boot.initrd.extraUtilsCommands')) {
    for (const { script, shell } of scriptsOf(def)) {
      if (shell.error) unknownNames = true;
      for (const c of shell.commands) {
        const name = c.name?.value;
        if (name !== 'copy_bin_and_libs' && name !== 'cp' && name !== 'ln' && name !== 'mv') continue;
        for (const arg of c.args.slice(1)) {
          const raw = arg.value ?? script.text.slice(arg.start, arg.end);
          if (raw.startsWith('-')) continue;
          if (/[*?$]/.test(raw.replace(PLACEHOLDER_RE, '').replace(/^\$out\//, ''))) unknownNames = true;
          const b = raw.slice(raw.lastIndexOf('/') + 1);
          if (b && !/[*?${}]/.test(b)) names.add(b);
        }
      }
    }
  }
  const model = { names, unknownNames };
  scriptedCache.set(project, model);
  return model;
}

// ---------------------------------------------------------------------------------------------
// What the host's stage-1 units use (so large-initrd-contents never calls "too big" what a unit needs).

const usedCache = new WeakMap<ProjectModel, ReadonlyMap<string, string>>();

/**
 * Packages the host's systemd stage-1 units use: `${pkgs.x}/…` in a unit script, a bare command
 * that is a program of a known package, or a service's `path = [ pkgs.x ]`. Package name → where.
 */
export function packagesUsedInStage1(project: ProjectModel): ReadonlyMap<string, string> {
  const hit = usedCache.get(project);
  if (hit) return hit;
  const used = new Map<string, string>();
  const byProgram = new Map<string, string[]>();
  for (const [pkg, bins] of Object.entries(PACKAGE_BINARIES)) {
    if (bins === 'all-busybox') continue;
    for (const b of bins) {
      let l = byProgram.get(b);
      if (!l) byProgram.set(b, (l = []));
      l.push(pkg);
    }
  }
  for (const option of SYSTEMD_STAGE1_SCRIPT_OPTIONS) {
    for (const { file, def } of project.definitions(option)) {
      const bindings = fileBindings(file);
      const where = `${def.path.slice(0, 5).join('.')} in ${base(file.path)}`;
      for (const { script, shell } of scriptsOf(def)) {
        for (const p of script.placeholders) {
          const r = resolveInterpolation(p.node, file, bindings);
          if (r && !used.has(r.pkg.name)) used.set(r.pkg.name, where);
        }
        for (const c of shell.commands) {
          const name = c.name?.value;
          // Names the defaults provide do not make a package needed.
          if (!name || name.includes('/') || SYSTEMD_STAGE1_DEFAULT_COMMANDS.has(name)) continue;
          for (const pkg of byProgram.get(name) ?? []) if (!used.has(pkg)) used.set(pkg, where);
        }
      }
    }
  }
  for (const { file, def } of project.definitions('boot.initrd.systemd.services.*.path')) {
    for (const it of provisionItems(def.value, file, fileBindings(file)).items) {
      if (it.resolved && !used.has(it.resolved.pkg.name))
        used.set(it.resolved.pkg.name, `${def.path.slice(0, 5).join('.')}.path in ${base(file.path)}`);
    }
  }
  usedCache.set(project, used);
  return used;
}

/**
 * Whether a rule may claim that something is absent from the file's host:
 * - `certain`: the host is closed (every module it includes was read);
 * - `open`: it includes modules the linter could not read (`notChecked` names them, for a hint);
 * - `unplaced`: no host includes the file (a dead file, an exported module): say nothing.
 */
export type Absence =
  | { readonly kind: 'certain' }
  | { readonly kind: 'open'; readonly notChecked: string }
  | { readonly kind: 'unplaced' };

export function absence(p: ProjectModel): Absence {
  const h = p.host;
  if (!h.placed) return { kind: 'unplaced' };
  if (!h.open) return { kind: 'certain' };
  const shown = h.unreadable.slice(0, 3).join('; ');
  const more = h.unreadable.length > 3 ? `; and ${h.unreadable.length - 3} more` : '';
  return { kind: 'open', notChecked: `${shown}${more}` };
}
