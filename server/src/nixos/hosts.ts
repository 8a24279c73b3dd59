// Which linted files make up one machine. Project-level rules ("the hardware configuration of the
// same host lists no NIC driver", "ssh enabled but no host keys anywhere") must not mix hosts of a
// multi-host repository: host A's `r8169` says nothing about host B.
//
// A host is read from the module graph as written, nothing is evaluated: a file's
// `imports = [ ./a.nix ../common ]` path literals are edges (a directory means its default.nix);
// each `modules = [ … ]` list (a flake's `nixosSystem { modules = [ … ]; }`) is a host of its own,
// made of the listed files and the file that holds the list (for its inline modules). A file that
// no other linted file imports is a host root with everything it imports. When the linted files do
// not import each other at all, they are one host, as before.
import { dirname, join, normalize } from 'node:path';
import type { SyntaxNode } from '../syntax/tree';
import { MODULE_LIST_WORD, moduleListOf, nodes, tokens, unparen } from './definitions';

export interface ModuleRefs {
  /** Paths of `imports = [ … ]` items, resolved against the file's directory. */
  readonly imports: readonly string[];
  /** One entry per `modules = [ … ]` list: its path items, resolved. */
  readonly moduleLists: ReadonlyArray<readonly string[]>;
}

/** The module path literals a file refers to, resolved against its directory. */
export function moduleRefs(path: string, root: SyntaxNode, text: string): ModuleRefs {
  const imports: string[] = [];
  const moduleLists: string[][] = [];
  if (!MODULE_LIST_WORD.test(text)) return { imports, moduleLists };
  const dir = dirname(path);
  const visit = (n: SyntaxNode, depth: number): void => {
    if (depth > 256) return;
    const ml = n.kind === 'Binding' ? moduleListOf(n) : undefined;
    const items = ml ? listPaths(ml.value, dir) : undefined;
    if (ml && items) {
      if (ml.name === 'imports') imports.push(...items);
      else moduleLists.push(items);
    }
    if (n.kind === 'String' || n.kind === 'IndString' || n.kind === 'Path') return;
    for (const c of n.children) if (c.type === 'node') visit(c, depth + 1);
  };
  visit(root, 0);
  return { imports, moduleLists };
}

/** Path literals of a list value (`[ ./a.nix ]`, `[ … ] ++ [ … ]`), resolved; undefined if not a list. */
function listPaths(value: SyntaxNode, dir: string): string[] | undefined {
  const u = unparen(value);
  if (!u) return undefined;
  if (u.kind === 'BinaryOp' && tokens(u).some((t) => t.kind === 'concat')) {
    const sides = nodes(u).map((s) => listPaths(s, dir));
    return sides.some((s) => s !== undefined) ? sides.flatMap((s) => s ?? []) : undefined;
  }
  if (u.kind !== 'List') return undefined;
  const out: string[] = [];
  for (const item of nodes(u)) {
    const p = unparen(item);
    if (p?.kind !== 'Path' || nodes(p).length > 0) continue;
    const lit = tokens(p)[0]?.text;
    if (!lit || lit.startsWith('<') || lit.startsWith('~')) continue;
    out.push(normalize(lit.startsWith('/') ? lit : join(dir, lit)));
  }
  return out;
}

/**
 * For each file (by index), the indices of the files of every host it belongs to (itself included),
 * or undefined when the files do not refer to each other (one host).
 */
export function hostScopes(paths: readonly string[], refs: readonly ModuleRefs[]): Array<readonly number[]> | undefined {
  const byPath = new Map<string, number>();
  paths.forEach((p, i) => byPath.set(normalize(p), i));
  const find = (p: string): number | undefined => byPath.get(p) ?? byPath.get(join(p, 'default.nix'));
  const edges: number[][] = paths.map(() => []);
  const lists: number[][][] = paths.map(() => []);
  const imported = new Set<number>();
  let any = false;
  refs.forEach((r, i) => {
    for (const p of r.imports) {
      const j = find(p);
      if (j !== undefined && j !== i) {
        edges[i]!.push(j);
        imported.add(j);
        any = true;
      }
    }
    for (const list of r.moduleLists) {
      const members = list.map(find).filter((j): j is number => j !== undefined && j !== i);
      if (members.length > 0) {
        lists[i]!.push(members);
        for (const j of members) imported.add(j);
        any = true;
      }
    }
  });
  if (!any) return undefined;

  const closure = (starts: readonly number[]): Set<number> => {
    const seen = new Set<number>();
    const stack = [...starts];
    while (stack.length > 0) {
      const k = stack.pop()!;
      if (seen.has(k)) continue;
      seen.add(k);
      stack.push(...edges[k]!);
      for (const l of lists[k]!) stack.push(...l);
    }
    return seen;
  };
  const hosts: Set<number>[] = [];
  const covered = new Set<number>();
  const addRoot = (i: number): void => {
    if (lists[i]!.length > 0) {
      // A flake: every nixosSystem's modules list is a host, with the flake's own inline modules
      // (the flake itself is added without following its other lists).
      for (const l of lists[i]!) {
        const h = closure([...edges[i]!, ...l]);
        h.add(i);
        hosts.push(h);
        for (const k of h) covered.add(k);
      }
    } else {
      const h = closure([i]);
      hosts.push(h);
      for (const k of h) covered.add(k);
    }
  };
  for (let i = 0; i < paths.length; i++) if (!imported.has(i)) addRoot(i);
  // Import cycles with no root outside them: each file not reached yet starts a host.
  for (let i = 0; i < paths.length; i++) if (!covered.has(i)) addRoot(i);

  const hostsOf: number[][] = paths.map(() => []);
  hosts.forEach((h, id) => {
    for (const k of h) hostsOf[k]!.push(id);
  });
  return paths.map((_, i) => {
    if (hostsOf[i]!.length === 1) return [...hosts[hostsOf[i]![0]!]!].sort((a, b) => a - b);
    const scope = new Set<number>([i]);
    for (const id of hostsOf[i]!) for (const k of hosts[id]!) scope.add(k);
    return [...scope].sort((a, b) => a - b);
  });
}
