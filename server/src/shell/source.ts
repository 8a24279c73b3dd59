// The shell text a Nix string holds, with a map back to the .nix file.
//
// Nix decodes the string (indentation stripping, escapes) before the shell sees it; `${…}`
// interpolations are unknown at lint time, so each stands in as a placeholder word
// (`__nixI0__`, `__nixI1__` …) that the shell parser reads as an ordinary word.
import { decodeString } from '../syntax/decode';
import type { SyntaxNode } from '../syntax/tree';

export interface Placeholder {
  /** Range of the placeholder in the shell text. */
  readonly start: number;
  readonly end: number;
  /** The Interpolation node it stands for. */
  readonly node: SyntaxNode;
}

export interface ShellScript {
  /** The Nix string node (String or IndString). */
  readonly string: SyntaxNode;
  readonly text: string;
  readonly placeholders: readonly Placeholder[];
  /** File offset of shell index `i` (0 ≤ i ≤ text.length). */
  toFile(i: number): number;
  /** The placeholder at shell index `i`, if any. */
  placeholderAt(i: number): Placeholder | undefined;
  /** File range of the shell range [start, end) (a placeholder maps to its whole `${…}`). */
  rangeToFile(start: number, end: number): { start: number; end: number };
}

export const PLACEHOLDER_RE = /__nixI(\d+)__/g;

/**
 * Scripts by string node: decoding a large string is linear but not free, and the language server
 * (which has the script analysed off-thread first) and several rules ask for the same one. A node
 * whose text changes is a new node; a reused one keeps its text (offsets below are relative).
 */
const scripts = new WeakMap<SyntaxNode, ShellScript>();

export function scriptFromString(string: SyntaxNode): ShellScript {
  let hit = scripts.get(string);
  if (!hit) {
    hit = decodeScript(string);
    scripts.set(string, hit);
  }
  return hit;
}

function decodeScript(string: SyntaxNode): ShellScript {
  const parts = decodeString(string);
  // Offsets are kept relative to the string node's start and read against its current start, so a
  // cached script stays right when an incremental reparse shifts the node (syntax/incremental.ts).
  const base = string.start;
  let text = '';
  const offsets: number[] = [];
  const placeholders: Placeholder[] = [];
  for (const part of parts) {
    if (part.kind === 'text') {
      text += part.value;
      for (let i = 0; i < part.value.length; i++) offsets.push(part.offsets[i]! - base);
    } else {
      const name = `__nixI${placeholders.length}__`;
      const start = text.length;
      text += name;
      for (let i = 0; i < name.length; i++) offsets.push(part.node.start - base);
      placeholders.push({ start, end: text.length, node: part.node });
    }
  }
  // Index text.length maps to the end of the string's content (before the closing quote).
  const last = parts[parts.length - 1];
  const endOffset =
    last === undefined
      ? contentStart(string)
      : last.kind === 'text'
        ? last.offsets[last.offsets.length - 1]!
        : last.node.end;
  offsets.push(endOffset - base);
  const toFile = (i: number): number => string.start + offsets[Math.max(0, Math.min(i, offsets.length - 1))]!;
  const placeholderAt = (i: number): Placeholder | undefined =>
    placeholders.find((p) => i >= p.start && i < p.end);
  return {
    string,
    text,
    placeholders,
    toFile,
    placeholderAt,
    rangeToFile: (start, end) => {
      if (end <= start) return { start: toFile(start), end: toFile(start) };
      const last = placeholderAt(end - 1);
      if (last) return { start: toFile(start), end: last.node.end };
      // The last character's source width: 1, or 2–3 for an escape (`\"`, `''$`); a larger gap is
      // stripped indentation after a line break, which does not belong to the range.
      const gap = toFile(end) - toFile(end - 1);
      return { start: toFile(start), end: toFile(end - 1) + (gap >= 1 && gap <= 3 ? gap : 1) };
    },
  };
}

function contentStart(string: SyntaxNode): number {
  const open = string.children[0];
  return open ? open.end : string.start;
}

/**
 * Whether the shell range [start, end) is copied verbatim from the file (no escapes, no
 * placeholders, no stripped indentation inside), so an edit of it can be made on the file text.
 */
export function isVerbatim(script: ShellScript, fileText: string, start: number, end: number): boolean {
  if (start > end) return false;
  if (script.placeholders.some((p) => p.start < end && p.end > start)) return false;
  const fs = script.toFile(start);
  const fe = end === start ? fs : script.toFile(end - 1) + 1;
  return fileText.slice(fs, fe) === script.text.slice(start, end);
}
