// Facts about NixOS options under boot.*, nix.gc.* and fileSystems.*: type, default, description,
// read from nixpkgs' module sources by scripts/extract-options.ts into option-facts.json. Used by
// the option hover, completion and the unknown-boot-option rule.
import factsJson from './option-facts.json';
import { SYSTEMD_STAGE1_DEFAULT_FROM } from './release';

export interface OptionFact {
  /** The type as the NixOS manual names it, e.g. 'strings concatenated with "\n"'. */
  readonly type: string;
  /** Default value as written (or its defaultText). */
  readonly default?: string;
  readonly description?: string;
  readonly example?: string;
  /** `internal = true` or `visible = false`: hidden from the manual, completed last. */
  readonly internal?: boolean;
  /** `readOnly = true`: set by NixOS itself, never by a configuration. */
  readonly readOnly?: boolean;
  /** From `mkRenamedOptionModule` and friends: the option this name now stands for. */
  readonly renamedTo?: string;
  /** From `mkRemovedOptionModule`: why it was removed (defining it fails evaluation). */
  readonly removed?: string;
  /** Module file that declares it, e.g. nixos/modules/system/boot/initrd-ssh.nix. */
  readonly declaredIn: string;
  /**
   * true: names below it are free (attrsOf, freeform, an unresolved submodule type);
   * false: a submodule whose options are listed as `<path>.<name>.…` / `<path>.…`;
   * absent: a leaf value.
   */
  readonly open?: boolean;
}

export interface OptionFacts {
  readonly nixpkgsRevision: string;
  /** Relative module path → the revision it was read from. */
  readonly sources: Readonly<Record<string, string>>;
  readonly options: Readonly<Record<string, OptionFact>>;
}

const NAME_PLACEHOLDER = '<name>';

interface TreeNode {
  readonly children: Map<string, TreeNode>;
  fact: OptionFact | undefined;
}

function newNode(): TreeNode {
  return { children: new Map(), fact: undefined };
}

export class OptionIndex {
  readonly facts: OptionFacts;
  private readonly root = newNode();

  constructor(facts: OptionFacts) {
    this.facts = facts;
    for (const [dotted, fact] of Object.entries(facts.options)) {
      let node = this.root;
      for (const seg of splitOptionPath(dotted)) {
        let next = node.children.get(seg);
        if (!next) {
          next = newNode();
          node.children.set(seg, next);
        }
        node = next;
      }
      node.fact = fact;
    }
  }

  private walk(path: readonly string[]): { node: TreeNode | undefined; placeholders: string[] } {
    let node: TreeNode | undefined = this.root;
    const placeholders: string[] = [];
    for (const seg of path) {
      if (!node) break;
      const exact: TreeNode | undefined = node.children.get(seg);
      if (exact) node = exact;
      else if (node.children.has(NAME_PLACEHOLDER)) {
        node = node.children.get(NAME_PLACEHOLDER);
        placeholders.push(seg);
      } else node = undefined;
    }
    return { node, placeholders };
  }

  /** The fact of an option path (names under attrsOf match `<name>`), if known. */
  lookup(path: readonly string[]): { dotted: string; fact: OptionFact } | undefined {
    const { node } = this.walk(path);
    if (!node?.fact) return undefined;
    return { dotted: this.canonical(path), fact: node.fact };
  }

  /** The dotted path with `<name>` where the path crosses an attrsOf. */
  canonical(path: readonly string[]): string {
    const out: string[] = [];
    let node: TreeNode | undefined = this.root;
    for (const seg of path) {
      if (node?.children.has(seg)) {
        out.push(seg);
        node = node.children.get(seg);
      } else if (node?.children.has(NAME_PLACEHOLDER)) {
        out.push(NAME_PLACEHOLDER);
        node = node.children.get(NAME_PLACEHOLDER);
      } else {
        out.push(seg);
        node = undefined;
      }
    }
    return out.join('.');
  }

  /**
   * Names directly below a path (without `<name>`), with the fact of each if it is an option.
   * Renamed and removed names are left out: they are not what anyone should type.
   */
  childrenOf(
    path: readonly string[],
  ): Array<{ name: string; fact: OptionFact | undefined; hasChildren: boolean }> {
    const { node } = this.walk(path);
    if (!node) return [];
    return [...node.children.entries()]
      .filter(([name, n]) => name !== NAME_PLACEHOLDER && !onlyMoved(n))
      .map(([name, n]) => ({ name, fact: n.fact, hasChildren: n.children.size > 0 }))
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  /**
   * Checks a path under a known prefix. Returns the index of the first segment that is not an
   * option or option set there, with the known names at that level; undefined when the path is
   * known, goes below a leaf or an open option (attrsOf, freeform), or leaves the known tree
   * somewhere nothing is declared.
   */
  unknownSegment(path: readonly string[]): { index: number; siblings: string[] } | undefined {
    let node: TreeNode | undefined = this.root;
    for (let i = 0; i < path.length; i++) {
      if (!node) return undefined;
      if (node.fact && node.fact.open !== false && node.children.size === 0) return undefined; // leaf or open value
      if (node.fact?.open === true) return undefined;
      const seg = path[i]!;
      const next: TreeNode | undefined = node.children.get(seg) ?? node.children.get(NAME_PLACEHOLDER);
      if (!next) {
        if (node.children.size === 0) return undefined;
        return {
          index: i,
          siblings: [...node.children.entries()]
            .filter(([k, n]) => k !== NAME_PLACEHOLDER && !onlyMoved(n))
            .map(([k]) => k),
        };
      }
      node = next;
    }
    return undefined;
  }

  /**
   * The renamed or removed option a path is, or lies below (`boot.loader.grub.timeout`,
   * `boot.binfmtMiscRegistrations.arm`): the number of segments of that option and its fact.
   */
  movedAt(path: readonly string[]): { length: number; dotted: string; fact: OptionFact } | undefined {
    let node: TreeNode | undefined = this.root;
    for (let i = 0; i < path.length; i++) {
      node = node.children.get(path[i]!) ?? node.children.get(NAME_PLACEHOLDER);
      if (!node) return undefined;
      if (isMoved(node.fact))
        return { length: i + 1, dotted: this.canonical(path.slice(0, i + 1)), fact: node.fact! };
      if (node.fact && node.fact.open !== false) return undefined; // below a current option: values, not names
    }
    return undefined;
  }
}

/** A renamed or removed option, or a set of nothing else (`boot.loader.gummiboot`). */
function onlyMoved(node: TreeNode): boolean {
  if (node.fact) return isMoved(node.fact);
  return node.children.size > 0 && [...node.children.values()].every(onlyMoved);
}

/** A renamed or removed option (from mkRenamedOptionModule, mkRemovedOptionModule …). */
function isMoved(fact: OptionFact | undefined): boolean {
  return fact !== undefined && (fact.renamedTo !== undefined || fact.removed !== undefined);
}

/**
 * Splits 'fileSystems.<name>.device' into segments. A name that itself contains a dot is quoted as
 * in Nix: 'boot.kernel.sysctl."net.core.rmem_max"'.
 */
export function splitOptionPath(dotted: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (const ch of dotted) {
    if (ch === '"') quoted = !quoted;
    else if (ch === '.' && !quoted) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out;
}

/** The inverse of splitOptionPath. */
export function joinOptionPath(path: readonly string[]): string {
  return path.map((p) => (p.includes('.') ? `"${p}"` : p)).join('.');
}

/** Optimal-string-alignment distance (Levenshtein with adjacent transpositions), capped. */
export function editDistance(a: string, b: string, cap = 4): number {
  if (Math.abs(a.length - b.length) > cap) return cap + 1;
  const d: number[][] = [];
  for (let i = 0; i <= a.length; i++) d.push([i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 0; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    let rowMin = Infinity;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
      rowMin = Math.min(rowMin, v);
    }
    if (rowMin > cap) return cap + 1;
  }
  return d[a.length]![b.length]!;
}

/** The closest known name, when it is close enough to be a typo of `name`. */
export function closestName(name: string, candidates: readonly string[]): string | undefined {
  const limit = name.length <= 5 ? 1 : 2;
  let best: { name: string; d: number } | undefined;
  for (const c of candidates) {
    if (c === name) return undefined;
    const d = c.toLowerCase() === name.toLowerCase() ? 0.5 : editDistance(name, c, limit);
    if (d <= limit && (!best || d < best.d)) best = { name: c, d };
  }
  return best?.name;
}

let index: OptionIndex | undefined;

/** The option index over the committed option-facts.json (built once). */
export function optionIndex(): OptionIndex {
  index ??= new OptionIndex(factsJson as unknown as OptionFacts);
  return index;
}

/**
 * Defaults that depend on the NixOS release: the facts hold the newest module's default, the hover
 * also says what it was before (a 25.11 host still gets scripted stage 1 unless it opts in).
 */
const RELEASE_DEFAULTS: Readonly<Record<string, string>> = {
  'boot.initrd.systemd.enable': `NixOS ${SYSTEMD_STAGE1_DEFAULT_FROM.year}.${String(SYSTEMD_STAGE1_DEFAULT_FROM.month).padStart(2, '0')} and later; \`false\` (scripted stage 1) before`,
};

/**
 * Where users read an option's declaration: the module file on nixpkgs' default branch. (Which
 * stored revision the facts were read from is provenance for maintainers, kept in
 * option-facts.json's `sources`, not shown to users.)
 */
function declarationLink(declaredIn: string): string {
  return `[${declaredIn}](https://github.com/NixOS/nixpkgs/blob/master/${declaredIn.split('/').map(encodeURIComponent).join('/')})`;
}

/** Markdown for a hover on an option. */
export function renderOptionHover(dotted: string, fact: OptionFact): string {
  if (fact.renamedTo !== undefined || fact.removed !== undefined) {
    const what =
      fact.renamedTo !== undefined
        ? `Renamed to \`${fact.renamedTo}\`: the old name still evaluates, with a warning.${fact.description ? ` ${fact.description}` : ''}`
        : `Removed from NixOS: defining it fails evaluation. ${fact.removed}`;
    return [
      `**${dotted}**`,
      '',
      what,
      '',
      `${fact.renamedTo !== undefined ? 'Renamed' : 'Removed'} in ${declarationLink(fact.declaredIn)}`,
    ].join('\n');
  }
  const lines = [
    `**${dotted}**`,
    '',
    `*Type:* ${fact.type}${fact.readOnly ? ' (read-only: set by NixOS, not by configurations)' : ''}`,
  ];
  const since = RELEASE_DEFAULTS[dotted];
  if (fact.default !== undefined)
    lines.push('', `*Default:* \`${fact.default.replace(/`/g, "'")}\`${since ? ` (${since})` : ''}`);
  if (fact.example !== undefined && fact.example.length < 200)
    lines.push('', `*Example:* \`${fact.example.replace(/`/g, "'").replace(/\n/g, ' ')}\``);
  if (fact.description) lines.push('', fact.description);
  lines.push('', `Declared in ${declarationLink(fact.declaredIn)}`);
  return lines.join('\n');
}
