// Nix string semantics with a source map: the value a string literal denotes (escapes decoded,
// CR/LF normalised in normal strings, indented strings stripped of their common indentation) and, for every
// character of it, the offset of the source byte that produced it.
// After NixOS/nix src/libexpr/lexer.l (unescapeStr) and parser.y (stripIndentation).
import type { SyntaxNode, SyntaxToken } from './tree';

export type DecodedPart =
  | { readonly kind: 'text'; readonly value: string; readonly offsets: number[] }
  | { readonly kind: 'interpolation'; readonly node: SyntaxNode };

interface Ch {
  readonly c: string;
  readonly at: number;
  /** Produced by an escape (`''$`, `'''`, `''\x`): not indentation. */
  readonly escaped: boolean;
}

type Piece = { kind: 'chars'; chars: Ch[]; end: number } | { kind: 'interp'; node: SyntaxNode };

/** Decodes a normal string's raw content: `\n \r \t \x`, and raw CR/CRLF → LF. */
function decodeNormal(raw: string, base: number, out: Ch[]): void {
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i]!;
    if (c === '\\' && i + 1 < raw.length) {
      const d = raw[i + 1]!;
      out.push({
        c: d === 'n' ? '\n' : d === 'r' ? '\r' : d === 't' ? '\t' : d,
        at: base + i,
        escaped: true,
      });
      i++;
    } else if (c === '\r') {
      out.push({ c: '\n', at: base + i, escaped: false });
      if (raw[i + 1] === '\n') i++;
    } else out.push({ c, at: base + i, escaped: false });
  }
}

/** Decodes an indented string's raw content: `''$`, `'''`, `''\x` escapes. */
function decodeIndented(raw: string, base: number, out: Ch[]): void {
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i]!;
    if (c === "'" && raw[i + 1] === "'") {
      const d = raw[i + 2];
      if (d === '$') {
        out.push({ c: '$', at: base + i, escaped: true });
        i += 2;
        continue;
      }
      if (d === "'") {
        out.push({ c: "'", at: base + i, escaped: true });
        out.push({ c: "'", at: base + i, escaped: true });
        i += 2;
        continue;
      }
      if (d === '\\' && i + 3 < raw.length) {
        const e = raw[i + 3]!;
        out.push({
          c: e === 'n' ? '\n' : e === 'r' ? '\r' : e === 't' ? '\t' : e,
          at: base + i,
          escaped: true,
        });
        i += 3;
        continue;
      }
    }
    // Unlike normal strings, indented strings keep CR bytes as they are (as nix does).
    out.push({ c, at: base + i, escaped: false });
  }
}

function pieces(n: SyntaxNode, indented: boolean): Piece[] {
  const out: Piece[] = [];
  const children = n.children;
  // The closing quote is the last token if the string is terminated.
  const lastChild = children[children.length - 1];
  const closeIdx =
    children.length > 1 &&
    lastChild?.type === 'token' &&
    (lastChild.kind === 'quote' || lastChild.kind === 'ind_quote')
      ? children.length - 1
      : children.length;
  for (let i = 1; i < closeIdx; i++) {
    const c = children[i]!;
    if (c.type === 'node') {
      if (c.kind === 'Interpolation') out.push({ kind: 'interp', node: c });
      continue;
    }
    if ((c as SyntaxToken).kind !== 'string_content') continue;
    let last = out[out.length - 1];
    if (!last || last.kind !== 'chars') {
      last = { kind: 'chars', chars: [], end: c.end };
      out.push(last);
    }
    if (indented) decodeIndented(c.text, c.start, last.chars);
    else decodeNormal(c.text, c.start, last.chars);
    last.end = c.end;
  }
  return out;
}

/** Nix's stripIndentation over decoded pieces. */
function strip(ps: Piece[]): Piece[] {
  let atStartOfLine = true;
  let minIndent = 1_000_000;
  let curIndent = 0;
  for (const p of ps) {
    if (p.kind === 'interp') {
      if (atStartOfLine) {
        atStartOfLine = false;
        if (curIndent < minIndent) minIndent = curIndent;
      }
      continue;
    }
    for (const ch of p.chars) {
      if (ch.escaped) {
        // Escapes are not indentation, and an escaped newline does not start a line here.
        if (atStartOfLine) {
          atStartOfLine = false;
          if (curIndent < minIndent) minIndent = curIndent;
        }
        continue;
      }
      if (atStartOfLine) {
        if (ch.c === ' ') curIndent++;
        else if (ch.c === '\n') curIndent = 0;
        else {
          atStartOfLine = false;
          if (curIndent < minIndent) minIndent = curIndent;
        }
      } else if (ch.c === '\n') {
        atStartOfLine = true;
        curIndent = 0;
      }
    }
  }
  const out: Piece[] = [];
  atStartOfLine = true;
  let curDropped = 0;
  ps.forEach((p, idx) => {
    if (p.kind === 'interp') {
      atStartOfLine = false;
      curDropped = 0;
      out.push(p);
      return;
    }
    let kept: Ch[] = [];
    for (const ch of p.chars) {
      if (atStartOfLine) {
        if (ch.c === ' ') {
          if (curDropped++ >= minIndent) kept.push(ch);
        } else if (ch.c === '\n') {
          curDropped = 0;
          kept.push(ch);
        } else {
          atStartOfLine = false;
          curDropped = 0;
          kept.push(ch);
        }
      } else {
        kept.push(ch);
        if (ch.c === '\n') atStartOfLine = true;
      }
    }
    // Remove the last line if it is empty and consists only of spaces.
    if (idx === ps.length - 1) {
      let lastNl = -1;
      for (let i = kept.length - 1; i >= 0; i--) {
        if (kept[i]!.c === '\n') {
          lastNl = i;
          break;
        }
      }
      if (lastNl >= 0 && kept.slice(lastNl + 1).every((ch) => ch.c === ' ')) {
        const end = kept[lastNl + 1]?.at ?? p.end;
        kept = kept.slice(0, lastNl + 1);
        out.push({ kind: 'chars', chars: kept, end });
        return;
      }
    }
    out.push({ kind: 'chars', chars: kept, end: p.end });
  });
  return out;
}

/** The decoded parts of a String or IndString node. */
export function decodeString(n: SyntaxNode): DecodedPart[] {
  const indented = n.kind === 'IndString';
  let ps = pieces(n, indented);
  if (indented) ps = strip(ps);
  const out: DecodedPart[] = [];
  for (const p of ps) {
    if (p.kind === 'interp') {
      out.push({ kind: 'interpolation', node: p.node });
      continue;
    }
    if (p.chars.length === 0) continue;
    const value = p.chars.map((ch) => ch.c).join('');
    const offsets = p.chars.map((ch) => ch.at);
    // Characters can stand for two code units (none do here: every Ch is one UTF-16 unit).
    offsets.push(p.end);
    out.push({ kind: 'text', value, offsets });
  }
  return out;
}

/** The value of a string without interpolations (undefined if it has any). */
export function staticString(n: SyntaxNode): string | undefined {
  let s = '';
  for (const p of decodeString(n)) {
    if (p.kind !== 'text') return undefined;
    s += p.value;
  }
  return s;
}
