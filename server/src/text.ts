// Offsets ↔ line/character positions (0-based; characters are UTF-16 code units, as in LSP and
// as JS strings index them).

export interface Position {
  readonly line: number;
  readonly character: number;
}

export function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) starts.push(i + 1);
    else if (c === 13 && text.charCodeAt(i + 1) !== 10) starts.push(i + 1);
  }
  return starts;
}

export function positionAt(starts: readonly number[], offset: number): Position {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid]! <= offset) lo = mid;
    else hi = mid - 1;
  }
  return { line: lo, character: offset - starts[lo]! };
}

export function offsetAt(starts: readonly number[], textLength: number, pos: Position): number {
  if (pos.line >= starts.length) return textLength;
  const start = starts[pos.line]!;
  const next = pos.line + 1 < starts.length ? starts[pos.line + 1]! : textLength;
  return Math.min(start + pos.character, next);
}

/** Applies non-overlapping edits (offsets into `text`); overlapping ones after the first are dropped. */
export function applyEdits(text: string, edits: ReadonlyArray<{ start: number; end: number; newText: string }>): string {
  const sorted = [...edits].sort((a, b) => a.start - b.start || a.end - b.end);
  let out = '';
  let pos = 0;
  for (const e of sorted) {
    if (e.start < pos) continue;
    out += text.slice(pos, e.start) + e.newText;
    pos = e.end;
  }
  return out + text.slice(pos);
}
