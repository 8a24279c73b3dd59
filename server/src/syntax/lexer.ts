// Lossless, context-dependent lexer for Nix, after NixOS/nix src/libexpr/lexer.l: every byte of
// the input ends up in exactly one token. Strings, indented strings and interpolated paths are
// lexed with a mode stack; `${ … }` nests. Never throws: bytes it cannot place become `error`
// tokens, unterminated strings and comments end at the end of the input.
import type { TokenKind } from './tree';

export interface RawToken {
  readonly kind: TokenKind;
  readonly start: number;
  readonly end: number;
}

export interface LexError {
  readonly code: 'unterminated-string' | 'unterminated-comment' | 'invalid-token' | 'trailing-slash';
  readonly start: number;
  readonly end: number;
  readonly message: string;
}

const KEYWORDS: Record<string, TokenKind> = {
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
};

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

type Mode =
  | { kind: 'expr'; braces: number }
  | { kind: 'string' }
  | { kind: 'indstring' }
  /** After a path fragment or a path interpolation: more fragments may follow. */
  | { kind: 'path' };

export interface LexResult {
  readonly tokens: RawToken[];
  readonly errors: LexError[];
}

export function lex(text: string): LexResult {
  const tokens: RawToken[] = [];
  const errors: LexError[] = [];
  const n = text.length;
  const modes: Mode[] = [{ kind: 'expr', braces: 0 }];
  let pos = 0;

  const push = (kind: TokenKind, end: number): void => {
    tokens.push({ kind, start: pos, end });
    pos = end;
  };

  /** Length of a PATH / PATH_SEG match at `at` (0 if none); `slash` tells whether it ends in '/'. */
  const matchPath = (at: number): { len: number; trailingSlash: boolean; interp: boolean } => {
    let i = at;
    while (i < n && isPathChar(text.charCodeAt(i))) i++;
    let segments = 0;
    while (i < n && text.charCodeAt(i) === C.SLASH && i + 1 < n && isPathChar(text.charCodeAt(i + 1))) {
      i += 2;
      while (i < n && isPathChar(text.charCodeAt(i))) i++;
      segments++;
    }
    const slashInterp = i < n && text.charCodeAt(i) === C.SLASH && text.charCodeAt(i + 1) === C.DOLLAR && text.charCodeAt(i + 2) === C.LBRACE;
    if (segments === 0 && !slashInterp) return { len: 0, trailingSlash: false, interp: false };
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
    if (text.charCodeAt(at + 1) !== C.SLASH) return { len: 0, trailingSlash: false, interp: false };
    const rest = matchPath(at + 1);
    if (rest.len === 0) return rest;
    return { ...rest, len: rest.len + 1 };
  };

  /** Emits a path token and enters path mode when an interpolation or more fragments follow. */
  const pathToken = (len: number, trailingSlash: boolean, interp: boolean): void => {
    const start = pos;
    push('path', pos + len);
    if (interp) modes.push({ kind: 'path' });
    else if (trailingSlash) errors.push({ code: 'trailing-slash', start, end: pos, message: 'path has a trailing slash' });
  };

  while (pos < n) {
    const mode = modes[modes.length - 1]!;
    const c = text.charCodeAt(pos);

    if (mode.kind === 'string') {
      if (c === C.DQUOTE) {
        push('quote', pos + 1);
        modes.pop();
        continue;
      }
      if (c === C.DOLLAR && text.charCodeAt(pos + 1) === C.LBRACE) {
        push('interp_open', pos + 2);
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
      push('string_content', i);
      continue;
    }

    if (mode.kind === 'indstring') {
      if (c === C.SQUOTE && text.charCodeAt(pos + 1) === C.SQUOTE) {
        const c2 = text.charCodeAt(pos + 2);
        if (c2 !== C.DOLLAR && c2 !== C.SQUOTE && c2 !== C.BACKSLASH) {
          push('ind_quote', pos + 2);
          modes.pop();
          continue;
        }
      }
      if (c === C.DOLLAR && text.charCodeAt(pos + 1) === C.LBRACE) {
        push('interp_open', pos + 2);
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
        if (d === C.DOLLAR && text.charCodeAt(i + 1) === C.LBRACE) break;
        i++;
      }
      push('string_content', i);
      continue;
    }

    if (mode.kind === 'path') {
      if (c === C.DOLLAR && text.charCodeAt(pos + 1) === C.LBRACE) {
        push('interp_open', pos + 2);
        modes.push({ kind: 'expr', braces: 0 });
        continue;
      }
      if (isPathChar(c) || c === C.SLASH) {
        let i = pos;
        while (i < n && (isPathChar(text.charCodeAt(i)) || (text.charCodeAt(i) === C.SLASH && text.charCodeAt(i + 1) !== C.SLASH && text.charCodeAt(i + 1) !== C.STAR))) i++;
        if (i > pos) {
          const trailing = text.charCodeAt(i - 1) === C.SLASH;
          const interp = text.charCodeAt(i) === C.DOLLAR && text.charCodeAt(i + 1) === C.LBRACE;
          const start = pos;
          push('path', i);
          if (!interp) {
            modes.pop();
            if (trailing) errors.push({ code: 'trailing-slash', start, end: i, message: 'path has a trailing slash' });
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
      push('whitespace', i);
      continue;
    }
    if (c === C.HASH) {
      let i = pos + 1;
      while (i < n && text.charCodeAt(i) !== C.LF && text.charCodeAt(i) !== C.CR) i++;
      push('line_comment', i);
      continue;
    }
    if (c === C.SLASH && text.charCodeAt(pos + 1) === C.STAR) {
      const close = text.indexOf('*/', pos + 2);
      if (close < 0) {
        errors.push({ code: 'unterminated-comment', start: pos, end: n, message: 'unterminated `/*` comment' });
        push('block_comment', n);
      } else push('block_comment', close + 2);
      continue;
    }
    if (c === C.DQUOTE) {
      push('quote', pos + 1);
      modes.push({ kind: 'string' });
      continue;
    }
    if (c === C.SQUOTE && text.charCodeAt(pos + 1) === C.SQUOTE) {
      // IND_STRING_OPEN: \'\'(\ *\n)?
      let i = pos + 2;
      while (text.charCodeAt(i) === C.SPACE) i++;
      push('ind_quote', text.charCodeAt(i) === C.LF ? i + 1 : pos + 2);
      modes.push({ kind: 'indstring' });
      continue;
    }
    if (c === C.DOLLAR && text.charCodeAt(pos + 1) === C.LBRACE) {
      // `${` in expression position: a dynamic attribute; nests like `{`.
      push('interp_open', pos + 2);
      modes.push({ kind: 'expr', braces: 0 });
      continue;
    }
    if (c === C.LBRACE) {
      mode.braces++;
      push('l_brace', pos + 1);
      continue;
    }
    if (c === C.RBRACE) {
      push('r_brace', pos + 1);
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
    if (isPathChar(c) || c === C.SLASH) {
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
    if (isAlpha(c)) {
      const u = matchUri(pos);
      if (u > best) {
        best = u;
        bestKind = 'uri';
        path = undefined;
      }
    }
    if (best > 0) {
      if (bestKind === 'path' && path) pathToken(best, path.trailingSlash, path.interp);
      else push(bestKind, pos + best);
      continue;
    }

    // Operators and punctuation.
    const c1 = text.charCodeAt(pos + 1);
    const two = (kind: TokenKind) => push(kind, pos + 2);
    const one = (kind: TokenKind) => push(kind, pos + 1);
    switch (c) {
      case C.DOT:
        if (c1 === C.DOT && text.charCodeAt(pos + 2) === C.DOT) push('ellipsis', pos + 3);
        else one('dot');
        continue;
      case C.EQ:
        if (c1 === C.EQ) two('eq');
        else one('assign');
        continue;
      case C.BANG:
        if (c1 === C.EQ) two('neq');
        else one('not');
        continue;
      case C.LT:
        if (c1 === C.EQ) two('le');
        else if (c1 === C.PIPE) two('pipe_left');
        else one('lt');
        continue;
      case C.GT:
        if (c1 === C.EQ) two('ge');
        else one('gt');
        continue;
      case C.AMP:
        if (c1 === C.AMP) two('and');
        else one('error');
        continue;
      case C.PIPE:
        if (c1 === C.PIPE) two('or_op');
        else if (c1 === C.GT) two('pipe_right');
        else one('error');
        continue;
      case C.MINUS:
        if (c1 === C.GT) two('implies');
        else one('sub');
        continue;
      case C.SLASH:
        if (c1 === C.SLASH) two('update');
        else one('div');
        continue;
      case C.PLUS:
        if (c1 === C.PLUS) two('concat');
        else one('add');
        continue;
      case C.STAR:
        one('mul');
        continue;
      case C.LBRACKET:
        one('l_bracket');
        continue;
      case C.RBRACKET:
        one('r_bracket');
        continue;
      case C.LPAREN:
        one('l_paren');
        continue;
      case C.RPAREN:
        one('r_paren');
        continue;
      case C.SEMI:
        one('semicolon');
        continue;
      case C.COLON:
        one('colon');
        continue;
      case C.COMMA:
        one('comma');
        continue;
      case C.AT:
        one('at');
        continue;
      case C.QUESTION:
        one('question');
        continue;
      default: {
        // One unknown character (a whole surrogate pair if it is one).
        const len = c >= 0xd800 && c <= 0xdbff && pos + 1 < n ? 2 : 1;
        errors.push({ code: 'invalid-token', start: pos, end: pos + len, message: `unexpected character \`${text.slice(pos, pos + len)}\`` });
        push('error', pos + len);
      }
    }
  }

  // Unterminated strings are reported by the parser, which knows which string it was in.
  return { tokens, errors };
}
