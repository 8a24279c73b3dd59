// Lossless, context-dependent lexer for Nix, after NixOS/nix src/libexpr/lexer.l: every byte of
// the input ends up in exactly one token. Strings, indented strings and interpolated paths are
// lexed with a mode stack; `${ … }` nests. Never throws: bytes it cannot place become `error`
// tokens, unterminated strings and comments end at the end of the input.
import type { SyntaxToken, TokenKind } from './tree';

/** The lexer makes the tree's tokens directly; the parser only sets their parents. */
export type RawToken = SyntaxToken;

export interface LexError {
  readonly code: 'unterminated-string' | 'unterminated-comment' | 'invalid-token' | 'trailing-slash';
  readonly start: number;
  readonly end: number;
  readonly message: string;
}

const KEYWORDS: Record<string, TokenKind> = Object.assign(Object.create(null) as Record<string, TokenKind>, {
  assert: 'kw_assert',
  else: 'kw_else',
  if: 'kw_if',
  in: 'kw_in',
  inherit: 'kw_inherit',
  let: 'kw_let',
  or: 'kw_or',
  rec: 'kw_rec',
  then: 'kw_then',
  with: 'kw_with',
});

const enum C {
  TAB = 9,
  LF = 10,
  CR = 13,
  SPACE = 32,
  BANG = 33,
  DQUOTE = 34,
  HASH = 35,
  DOLLAR = 36,
  PERCENT = 37,
  AMP = 38,
  SQUOTE = 39,
  LPAREN = 40,
  RPAREN = 41,
  STAR = 42,
  PLUS = 43,
  COMMA = 44,
  MINUS = 45,
  DOT = 46,
  SLASH = 47,
  D0 = 48,
  D1 = 49,
  D9 = 57,
  COLON = 58,
  SEMI = 59,
  LT = 60,
  EQ = 61,
  GT = 62,
  QUESTION = 63,
  AT = 64,
  A = 65,
  E = 69,
  Z = 90,
  LBRACKET = 91,
  BACKSLASH = 92,
  RBRACKET = 93,
  UNDERSCORE = 95,
  a = 97,
  e = 101,
  z = 122,
  LBRACE = 123,
  PIPE = 124,
  RBRACE = 125,
  TILDE = 126,
}

function isAlpha(c: number): boolean {
  return (c >= C.a && c <= C.z) || (c >= C.A && c <= C.Z);
}
function isDigit(c: number): boolean {
  return c >= C.D0 && c <= C.D9;
}
function isIdStart(c: number): boolean {
  return isAlpha(c) || c === C.UNDERSCORE;
}
function isIdChar(c: number): boolean {
  return isAlpha(c) || isDigit(c) || c === C.UNDERSCORE || c === C.SQUOTE || c === C.MINUS;
}
/** PATH_CHAR [a-zA-Z0-9\.\_\-\+] */
function isPathChar(c: number): boolean {
  return isAlpha(c) || isDigit(c) || c === C.DOT || c === C.UNDERSCORE || c === C.MINUS || c === C.PLUS;
}
/** URI scheme chars after the first: [a-zA-Z0-9\+\-\.] */
function isSchemeChar(c: number): boolean {
  return isAlpha(c) || isDigit(c) || c === C.PLUS || c === C.MINUS || c === C.DOT;
}
/** URI body: [a-zA-Z0-9\%\/\?\:\@\&\=\+\$\,\-\_\.\!\~\*\'] */
function isUriChar(c: number): boolean {
  if (isAlpha(c) || isDigit(c)) return true;
  switch (c) {
    case C.PERCENT:
    case C.SLASH:
    case C.QUESTION:
    case C.COLON:
    case C.AT:
    case C.AMP:
    case C.EQ:
    case C.PLUS:
    case C.DOLLAR:
    case C.COMMA:
    case C.MINUS:
    case C.UNDERSCORE:
    case C.DOT:
    case C.BANG:
    case C.TILDE:
    case C.STAR:
    case C.SQUOTE:
      return true;
    default:
      return false;
  }
}

/**
 * Whether the character at `i` begins a token in expression mode (or whitespace or a comment):
 * everything else is a character Nix cannot read there. `'` and `$` begin tokens only as `''`
 * and `${`; a lone `&` or `|` is left to the operator rules (they make it an error token).
 */
function startsToken(text: string, i: number): boolean {
  const c = text.charCodeAt(i);
  if (isAlpha(c) || isDigit(c)) return true;
  switch (c) {
    case C.SPACE:
    case C.TAB:
    case C.LF:
    case C.CR:
    case C.HASH:
    case C.DQUOTE:
    case C.LBRACE:
    case C.RBRACE:
    case C.UNDERSCORE:
    case C.DOT:
    case C.SLASH:
    case C.TILDE:
    case C.LT:
    case C.EQ:
    case C.BANG:
    case C.GT:
    case C.AMP:
    case C.PIPE:
    case C.MINUS:
    case C.PLUS:
    case C.STAR:
    case C.LBRACKET:
    case C.RBRACKET:
    case C.LPAREN:
    case C.RPAREN:
    case C.SEMI:
    case C.COLON:
    case C.COMMA:
    case C.AT:
    case C.QUESTION:
      return true;
    case C.SQUOTE:
      return text.charCodeAt(i + 1) === C.SQUOTE;
    case C.DOLLAR:
      return text.charCodeAt(i + 1) === C.LBRACE;
    default:
      return false;
  }
}

type Mode =
  | { kind: 'expr'; braces: number }
  | { kind: 'string' }
  | { kind: 'indstring' }
  /** After a path fragment or a path interpolation: more fragments may follow. */
  | { kind: 'path' };

/** A token whose text is sliced from the source on demand (most tokens are never read). */
/**
 * The text a parse's tokens read from. One object per parse, shared by all its tokens, so an
 * incremental reparse (incremental.ts) can point every unchanged token at the new text at once.
 */
export interface SourceRef {
  text: string;
}

export class Token implements SyntaxToken {
  readonly type = 'token' as const;
  parent: SyntaxToken['parent'] = undefined;
  // start/end/src are mutable only for incremental.ts, which shifts unchanged tokens after an edit.
  constructor(
    readonly kind: TokenKind,
    public start: number,
    public end: number,
    public src: SourceRef,
  ) {}
  get text(): string {
    return this.src.text.slice(this.start, this.end);
  }
  toJSON(): object {
    return { type: this.type, kind: this.kind, start: this.start, end: this.end, text: this.text };
  }
}

function emit(tokens: RawToken[], src: SourceRef, kind: TokenKind, start: number, end: number): number {
  tokens.push(new Token(kind, start, end, src));
  return end;
}

export interface LexResult {
  readonly tokens: RawToken[];
  readonly errors: LexError[];
}

export function lex(text: string): LexResult {
  const tokens: RawToken[] = [];
  const errors: LexError[] = [];
  const n = text.length;
  const src: SourceRef = { text };
  const modes: Mode[] = [{ kind: 'expr', braces: 0 }];
  let pos = 0;

  /** Length of a PATH / PATH_SEG match at `at` (0 if none); `slash` tells whether it ends in '/'. */
  const NO_PATH = { len: 0, trailingSlash: false, interp: false };
  const matchPath = (at: number): { len: number; trailingSlash: boolean; interp: boolean } => {
    let i = at;
    while (i < n && isPathChar(text.charCodeAt(i))) i++;
    if (text.charCodeAt(i) !== C.SLASH) return NO_PATH;
    let segments = 0;
    while (i < n && text.charCodeAt(i) === C.SLASH && i + 1 < n && isPathChar(text.charCodeAt(i + 1))) {
      i += 2;
      while (i < n && isPathChar(text.charCodeAt(i))) i++;
      segments++;
    }
    const slashInterp =
      i < n &&
      text.charCodeAt(i) === C.SLASH &&
      text.charCodeAt(i + 1) === C.DOLLAR &&
      text.charCodeAt(i + 2) === C.LBRACE;
    if (segments === 0 && !slashInterp) return NO_PATH;
    if (slashInterp) return { len: i + 1 - at, trailingSlash: true, interp: true };
    const trailing = i < n && text.charCodeAt(i) === C.SLASH;
    const interp = text.charCodeAt(i) === C.DOLLAR && text.charCodeAt(i + 1) === C.LBRACE;
    return { len: (trailing ? i + 1 : i) - at, trailingSlash: trailing, interp };
  };

  const matchUri = (at: number): number => {
    if (!isAlpha(text.charCodeAt(at))) return 0;
    let i = at + 1;
    while (i < n && isSchemeChar(text.charCodeAt(i))) i++;
    if (text.charCodeAt(i) !== C.COLON) return 0;
    i++;
    const body = i;
    while (i < n && isUriChar(text.charCodeAt(i))) i++;
    return i > body ? i - at : 0;
  };

  const matchFloat = (at: number): number => {
    // (([1-9][0-9]*\.[0-9]*)|(0?\.[0-9]+))([Ee][+-]?[0-9]+)?
    let i = at;
    const c = text.charCodeAt(i);
    if (c >= C.D1 && c <= C.D9) {
      while (isDigit(text.charCodeAt(i))) i++;
      if (text.charCodeAt(i) !== C.DOT) return 0;
      i++;
      while (isDigit(text.charCodeAt(i))) i++;
    } else {
      if (c === C.D0) i++;
      if (text.charCodeAt(i) !== C.DOT || !isDigit(text.charCodeAt(i + 1))) return 0;
      i++;
      while (isDigit(text.charCodeAt(i))) i++;
    }
    const e = text.charCodeAt(i);
    if (e === C.E || e === C.e) {
      let j = i + 1;
      const s = text.charCodeAt(j);
      if (s === C.PLUS || s === C.MINUS) j++;
      if (isDigit(text.charCodeAt(j))) {
        while (isDigit(text.charCodeAt(j))) j++;
        i = j;
      }
    }
    return i - at;
  };

  const matchSearchPath = (at: number): number => {
    // \<{PATH_CHAR}+(\/{PATH_CHAR}+)*\>
    let i = at + 1;
    if (!isPathChar(text.charCodeAt(i))) return 0;
    while (isPathChar(text.charCodeAt(i))) i++;
    while (text.charCodeAt(i) === C.SLASH && isPathChar(text.charCodeAt(i + 1))) {
      i += 2;
      while (isPathChar(text.charCodeAt(i))) i++;
    }
    return text.charCodeAt(i) === C.GT ? i + 1 - at : 0;
  };

  /** `~/…` home paths: \~(\/{PATH_CHAR}+)+\/? or HPATH_START `~/` before `${`. */
  const matchHomePath = (at: number): { len: number; trailingSlash: boolean; interp: boolean } => {
    if (text.charCodeAt(at + 1) !== C.SLASH) return NO_PATH;
    const rest = matchPath(at + 1);
    if (rest.len === 0) return rest;
    return { ...rest, len: rest.len + 1 };
  };

  /** Enters path mode after a path token when an interpolation follows; reports trailing slashes. */
  const afterPath = (start: number, end: number, trailingSlash: boolean, interp: boolean): void => {
    if (interp) modes.push({ kind: 'path' });
    else if (trailingSlash)
      errors.push({ code: 'trailing-slash', start, end, message: 'path has a trailing slash' });
  };

  while (pos < n) {
    const mode = modes[modes.length - 1]!;
    const c = text.charCodeAt(pos);

    if (mode.kind === 'string') {
      if (c === C.DQUOTE) {
        pos = emit(tokens, src, 'quote', pos, pos + 1);
        modes.pop();
        continue;
      }
      if (c === C.DOLLAR && text.charCodeAt(pos + 1) === C.LBRACE) {
        pos = emit(tokens, src, 'interp_open', pos, pos + 2);
        modes.push({ kind: 'expr', braces: 0 });
        continue;
      }
      let i = pos;
      while (i < n) {
        const d = text.charCodeAt(i);
        if (d === C.DQUOTE) break;
        if (d === C.BACKSLASH) {
          i = Math.min(n, i + 2);
          continue;
        }
        if (d === C.DOLLAR) {
          const d1 = text.charCodeAt(i + 1);
          if (d1 === C.LBRACE) break;
          if (d1 === C.BACKSLASH) {
            i = Math.min(n, i + 3);
            continue;
          }
          i += d1 === C.DQUOTE || Number.isNaN(d1) ? 1 : 2;
          continue;
        }
        i++;
      }
      pos = emit(tokens, src, 'string_content', pos, i);
      continue;
    }

    if (mode.kind === 'indstring') {
      if (c === C.SQUOTE && text.charCodeAt(pos + 1) === C.SQUOTE) {
        const c2 = text.charCodeAt(pos + 2);
        if (c2 !== C.DOLLAR && c2 !== C.SQUOTE && c2 !== C.BACKSLASH) {
          pos = emit(tokens, src, 'ind_quote', pos, pos + 2);
          modes.pop();
          continue;
        }
      }
      if (c === C.DOLLAR && text.charCodeAt(pos + 1) === C.LBRACE) {
        pos = emit(tokens, src, 'interp_open', pos, pos + 2);
        modes.push({ kind: 'expr', braces: 0 });
        continue;
      }
      let i = pos;
      while (i < n) {
        const d = text.charCodeAt(i);
        if (d === C.SQUOTE && text.charCodeAt(i + 1) === C.SQUOTE) {
          const d2 = text.charCodeAt(i + 2);
          if (d2 === C.DOLLAR || d2 === C.SQUOTE) {
            i += 3;
            continue;
          }
          if (d2 === C.BACKSLASH) {
            i = Math.min(n, i + 4);
            continue;
          }
          break;
        }
        if (d === C.DOLLAR) {
          // lexer.l reads `$` with the character after it (`\$[^\{\']`), so `$${` is text: only
          // `${` right here opens an interpolation; `$'` leaves the `'` to the rules above.
          const d1 = text.charCodeAt(i + 1);
          if (d1 === C.LBRACE) break;
          i += d1 === C.SQUOTE || Number.isNaN(d1) ? 1 : 2;
          continue;
        }
        i++;
      }
      pos = emit(tokens, src, 'string_content', pos, i);
      continue;
    }

    if (mode.kind === 'path') {
      if (c === C.DOLLAR && text.charCodeAt(pos + 1) === C.LBRACE) {
        pos = emit(tokens, src, 'interp_open', pos, pos + 2);
        modes.push({ kind: 'expr', braces: 0 });
        continue;
      }
      if (isPathChar(c) || c === C.SLASH) {
        let i = pos;
        while (
          i < n &&
          (isPathChar(text.charCodeAt(i)) ||
            (text.charCodeAt(i) === C.SLASH &&
              text.charCodeAt(i + 1) !== C.SLASH &&
              text.charCodeAt(i + 1) !== C.STAR))
        )
          i++;
        if (i > pos) {
          const trailing = text.charCodeAt(i - 1) === C.SLASH;
          const interp = text.charCodeAt(i) === C.DOLLAR && text.charCodeAt(i + 1) === C.LBRACE;
          const start = pos;
          pos = emit(tokens, src, 'path', pos, i);
          if (!interp) {
            modes.pop();
            if (trailing)
              errors.push({ code: 'trailing-slash', start, end: i, message: 'path has a trailing slash' });
          }
          continue;
        }
      }
      modes.pop();
      continue;
    }

    // Expression mode.
    if (c === C.SPACE || c === C.TAB || c === C.LF || c === C.CR) {
      let i = pos + 1;
      while (i < n) {
        const d = text.charCodeAt(i);
        if (d !== C.SPACE && d !== C.TAB && d !== C.LF && d !== C.CR) break;
        i++;
      }
      pos = emit(tokens, src, 'whitespace', pos, i);
      continue;
    }
    if (c === C.HASH) {
      let i = pos + 1;
      while (i < n && text.charCodeAt(i) !== C.LF && text.charCodeAt(i) !== C.CR) i++;
      pos = emit(tokens, src, 'line_comment', pos, i);
      continue;
    }
    if (c === C.SLASH && text.charCodeAt(pos + 1) === C.STAR) {
      const close = text.indexOf('*/', pos + 2);
      if (close < 0) {
        errors.push({
          code: 'unterminated-comment',
          start: pos,
          end: n,
          message: 'unterminated `/*` comment',
        });
        pos = emit(tokens, src, 'block_comment', pos, n);
      } else pos = emit(tokens, src, 'block_comment', pos, close + 2);
      continue;
    }
    if (c === C.DQUOTE) {
      pos = emit(tokens, src, 'quote', pos, pos + 1);
      modes.push({ kind: 'string' });
      continue;
    }
    if (c === C.SQUOTE && text.charCodeAt(pos + 1) === C.SQUOTE) {
      // IND_STRING_OPEN: \'\'(\ *\n)?
      let i = pos + 2;
      while (text.charCodeAt(i) === C.SPACE) i++;
      pos = emit(tokens, src, 'ind_quote', pos, text.charCodeAt(i) === C.LF ? i + 1 : pos + 2);
      modes.push({ kind: 'indstring' });
      continue;
    }
    if (c === C.DOLLAR && text.charCodeAt(pos + 1) === C.LBRACE) {
      // `${` in expression position: a dynamic attribute; nests like `{`.
      pos = emit(tokens, src, 'interp_open', pos, pos + 2);
      modes.push({ kind: 'expr', braces: 0 });
      continue;
    }
    if (c === C.LBRACE) {
      mode.braces++;
      pos = emit(tokens, src, 'l_brace', pos, pos + 1);
      continue;
    }
    if (c === C.RBRACE) {
      pos = emit(tokens, src, 'r_brace', pos, pos + 1);
      if (mode.braces > 0) mode.braces--;
      else if (modes.length > 1) modes.pop(); // end of an interpolation
      continue;
    }

    // Longest match among identifiers/keywords, numbers, paths, URIs (flex semantics).
    let best = 0;
    let bestKind: TokenKind = 'error';
    let path: { len: number; trailingSlash: boolean; interp: boolean } | undefined;
    if (isIdStart(c)) {
      let i = pos + 1;
      while (i < n && isIdChar(text.charCodeAt(i))) i++;
      best = i - pos;
      bestKind = KEYWORDS[text.slice(pos, i)] ?? 'ident';
    }
    if (isDigit(c)) {
      let i = pos + 1;
      while (isDigit(text.charCodeAt(i))) i++;
      if (i - pos > best) {
        best = i - pos;
        bestKind = 'int';
      }
    }
    if (isDigit(c) || c === C.DOT) {
      const f = matchFloat(pos);
      if (f > best) {
        best = f;
        bestKind = 'float';
      }
    }
    // Paths and URIs need a `/` or `:` right after the run of path characters: check that once
    // instead of rescanning every identifier.
    let runEnd = pos;
    while (runEnd < n && isPathChar(text.charCodeAt(runEnd))) runEnd++;
    const afterRun = text.charCodeAt(runEnd);
    const maybePathOrUri = afterRun === C.SLASH || afterRun === C.COLON;
    if (maybePathOrUri && (isPathChar(c) || c === C.SLASH)) {
      const p = matchPath(pos);
      if (p.len > best) {
        best = p.len;
        bestKind = 'path';
        path = p;
      }
    }
    if (c === C.TILDE) {
      const p = matchHomePath(pos);
      if (p.len > best) {
        best = p.len;
        bestKind = 'path';
        path = p;
      }
    }
    if (c === C.LT) {
      const s = matchSearchPath(pos);
      if (s > best) {
        best = s;
        bestKind = 'search_path';
      }
    }
    if (maybePathOrUri && isAlpha(c)) {
      const u = matchUri(pos);
      if (u > best) {
        best = u;
        bestKind = 'uri';
        path = undefined;
      }
    }
    if (best > 0) {
      const start = pos;
      pos = emit(tokens, src, bestKind, pos, pos + best);
      if (bestKind === 'path' && path) afterPath(start, pos, path.trailingSlash, path.interp);
      continue;
    }

    // Operators and punctuation.
    const c1 = text.charCodeAt(pos + 1);
    switch (c) {
      case C.DOT:
        if (c1 === C.DOT && text.charCodeAt(pos + 2) === C.DOT)
          pos = emit(tokens, src, 'ellipsis', pos, pos + 3);
        else pos = emit(tokens, src, 'dot', pos, pos + 1);
        continue;
      case C.EQ:
        if (c1 === C.EQ) pos = emit(tokens, src, 'eq', pos, pos + 2);
        else pos = emit(tokens, src, 'assign', pos, pos + 1);
        continue;
      case C.BANG:
        if (c1 === C.EQ) pos = emit(tokens, src, 'neq', pos, pos + 2);
        else pos = emit(tokens, src, 'not', pos, pos + 1);
        continue;
      case C.LT:
        if (c1 === C.EQ) pos = emit(tokens, src, 'le', pos, pos + 2);
        else if (c1 === C.PIPE) pos = emit(tokens, src, 'pipe_left', pos, pos + 2);
        else pos = emit(tokens, src, 'lt', pos, pos + 1);
        continue;
      case C.GT:
        if (c1 === C.EQ) pos = emit(tokens, src, 'ge', pos, pos + 2);
        else pos = emit(tokens, src, 'gt', pos, pos + 1);
        continue;
      case C.AMP:
        if (c1 === C.AMP) pos = emit(tokens, src, 'and', pos, pos + 2);
        else pos = emit(tokens, src, 'error', pos, pos + 1);
        continue;
      case C.PIPE:
        if (c1 === C.PIPE) pos = emit(tokens, src, 'or_op', pos, pos + 2);
        else if (c1 === C.GT) pos = emit(tokens, src, 'pipe_right', pos, pos + 2);
        else pos = emit(tokens, src, 'error', pos, pos + 1);
        continue;
      case C.MINUS:
        if (c1 === C.GT) pos = emit(tokens, src, 'implies', pos, pos + 2);
        else pos = emit(tokens, src, 'sub', pos, pos + 1);
        continue;
      case C.SLASH:
        if (c1 === C.SLASH) pos = emit(tokens, src, 'update', pos, pos + 2);
        else pos = emit(tokens, src, 'div', pos, pos + 1);
        continue;
      case C.PLUS:
        if (c1 === C.PLUS) pos = emit(tokens, src, 'concat', pos, pos + 2);
        else pos = emit(tokens, src, 'add', pos, pos + 1);
        continue;
      case C.STAR:
        pos = emit(tokens, src, 'mul', pos, pos + 1);
        continue;
      case C.LBRACKET:
        pos = emit(tokens, src, 'l_bracket', pos, pos + 1);
        continue;
      case C.RBRACKET:
        pos = emit(tokens, src, 'r_bracket', pos, pos + 1);
        continue;
      case C.LPAREN:
        pos = emit(tokens, src, 'l_paren', pos, pos + 1);
        continue;
      case C.RPAREN:
        pos = emit(tokens, src, 'r_paren', pos, pos + 1);
        continue;
      case C.SEMI:
        pos = emit(tokens, src, 'semicolon', pos, pos + 1);
        continue;
      case C.COLON:
        pos = emit(tokens, src, 'colon', pos, pos + 1);
        continue;
      case C.COMMA:
        pos = emit(tokens, src, 'comma', pos, pos + 1);
        continue;
      case C.AT:
        pos = emit(tokens, src, 'at', pos, pos + 1);
        continue;
      case C.QUESTION:
        pos = emit(tokens, src, 'question', pos, pos + 1);
        continue;
      default: {
        // A run of characters that start no token is one error token and one error (binary
        // data or another language would otherwise give one error per byte).
        let i = pos + 1;
        while (i < n && !startsToken(text, i)) i++;
        const shown = text
          .slice(pos, Math.min(i, pos + 20))
          .replace(
            /[\u0000-\u001f\u007f-\u009f]/g,
            (ch) => `\\x${ch.charCodeAt(0).toString(16).padStart(2, '0')}`,
          );
        const what =
          i - pos === 1 || (i - pos === 2 && c >= 0xd800 && c <= 0xdbff) ? 'character' : 'characters';
        errors.push({
          code: 'invalid-token',
          start: pos,
          end: i,
          message: `unexpected ${what} \`${shown}${i - pos > 20 ? '…' : ''}\``,
        });
        pos = emit(tokens, src, 'error', pos, i);
      }
    }
  }

  // Unterminated strings are reported by the parser, which knows which string it was in.
  return { tokens, errors };
}
