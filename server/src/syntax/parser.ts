// Error-tolerant recursive-descent parser for Nix producing the lossless tree of tree.ts.
// Grammar and precedences after NixOS/nix src/libexpr/parser.y. Never throws: what cannot be
// parsed is wrapped in Error nodes and reported, and parsing goes on.
import { lex, Token, type RawToken } from './lexer';
import type {
  NodeKind,
  ParseError,
  ParseErrorCode,
  ParseResult,
  SyntaxElement,
  SyntaxNode,
  SyntaxToken,
  TokenKind,
} from './tree';
import { TRIVIA } from './tree';

const MAX_DEPTH = 512;

interface OpenNode {
  kind: NodeKind;
  children: SyntaxElement[];
}

/** Binary operators: [left binding power, right binding power]; non-associative ones are marked. */
const BINARY: Partial<Record<TokenKind, { prec: number; assoc: 'left' | 'right' | 'none' }>> = {
  implies: { prec: 1, assoc: 'right' },
  or_op: { prec: 2, assoc: 'left' },
  and: { prec: 3, assoc: 'left' },
  eq: { prec: 4, assoc: 'none' },
  neq: { prec: 4, assoc: 'none' },
  lt: { prec: 5, assoc: 'none' },
  gt: { prec: 5, assoc: 'none' },
  le: { prec: 5, assoc: 'none' },
  ge: { prec: 5, assoc: 'none' },
  update: { prec: 6, assoc: 'right' },
  // `!` is 7 (prefix)
  add: { prec: 8, assoc: 'left' },
  sub: { prec: 8, assoc: 'left' },
  mul: { prec: 9, assoc: 'left' },
  div: { prec: 9, assoc: 'left' },
  concat: { prec: 10, assoc: 'right' },
  // `?` is 11 (postfix), unary minus 12
};
const NOT_PREC = 7;
const HAS_ATTR_PREC = 11;
const NEGATE_PREC = 12;

/** Tokens that can start an argument of a function application (expr_select). */
export const SIMPLE_START: ReadonlySet<TokenKind> = new Set<TokenKind>([
  'ident',
  'int',
  'float',
  'uri',
  'path',
  'search_path',
  'quote',
  'ind_quote',
  'l_paren',
  'l_bracket',
  'l_brace',
  'kw_rec',
  'kw_let',
]);

const NAMES: Partial<Record<TokenKind, string>> = {
  semicolon: '`;`',
  r_brace: '`}`',
  l_brace: '`{`',
  r_paren: '`)`',
  r_bracket: '`]`',
  colon: '`:`',
  assign: '`=`',
  kw_in: '`in`',
  kw_then: '`then`',
  kw_else: '`else`',
  ident: 'an identifier',
  quote: '`"`',
  ind_quote: "`''`",
};

function describe(kind: TokenKind | undefined, text: string): string {
  if (kind === undefined) return 'end of file';
  if (kind === 'whitespace') return 'whitespace';
  return `\`${text.length > 20 ? `${text.slice(0, 20)}…` : text}\``;
}

class Parser {
  private readonly raw: RawToken[];
  private readonly text: string;
  private pos = 0; // index into raw (may point at trivia)
  private readonly stack: OpenNode[] = [];
  readonly errors: ParseError[] = [];
  private depth = 0;

  /** nextSig[i]: index of the first significant token at or after i (raw.length if none). */
  private readonly nextSig: Int32Array;

  constructor(text: string, raw: RawToken[]) {
    this.text = text;
    this.raw = raw;
    this.nextSig = new Int32Array(raw.length + 1);
    let next = raw.length;
    this.nextSig[raw.length] = next;
    for (let i = raw.length - 1; i >= 0; i--) {
      if (!TRIVIA.has(raw[i]!.kind)) next = i;
      this.nextSig[i] = next;
    }
  }

  // ---- token access ----

  /** Index of the next significant token at or after `from`. */
  private sig(from: number): number {
    return from >= this.raw.length ? this.raw.length : this.nextSig[from]!;
  }

  peek(k = 0): TokenKind | undefined {
    let i = this.sig(this.pos);
    for (let j = 0; j < k; j++) i = this.sig(i + 1);
    return this.raw[i]?.kind;
  }

  private peekToken(k = 0): RawToken | undefined {
    let i = this.sig(this.pos);
    for (let j = 0; j < k; j++) i = this.sig(i + 1);
    return this.raw[i];
  }

  at(kind: TokenKind): boolean {
    return this.peek() === kind;
  }

  private tokenText(t: RawToken): string {
    return t.text;
  }

  private makeToken(t: RawToken, kind?: TokenKind): SyntaxToken {
    return kind === undefined || kind === t.kind ? t : new Token(kind, t.start, t.end, (t as Token).src);
  }

  private current(): OpenNode {
    return this.stack[this.stack.length - 1]!;
  }

  /** Moves trivia before the next significant token into the current node. */
  private flushTrivia(): void {
    while (this.pos < this.raw.length && TRIVIA.has(this.raw[this.pos]!.kind)) {
      this.current().children.push(this.makeToken(this.raw[this.pos]!));
      this.pos++;
    }
  }

  /** Consumes the next significant token (with the trivia before it). */
  bump(as?: TokenKind): void {
    this.flushTrivia();
    const t = this.raw[this.pos];
    if (!t) return;
    this.current().children.push(this.makeToken(t, as));
    this.pos++;
  }

  eat(kind: TokenKind): boolean {
    if (this.at(kind)) {
      this.bump();
      return true;
    }
    return false;
  }

  // ---- tree building ----

  start(kind: NodeKind): void {
    this.flushTrivia();
    this.stack.push({ kind, children: [] });
  }

  checkpoint(): number {
    this.flushTrivia();
    return this.current().children.length;
  }

  /** Starts a node that takes the current node's children from `cp` on. */
  startAt(cp: number, kind: NodeKind): void {
    const parent = this.current();
    const taken = parent.children.splice(cp);
    this.stack.push({ kind, children: taken });
  }

  finish(): SyntaxNode {
    const open = this.stack.pop()!;
    const first = open.children[0];
    const last = open.children[open.children.length - 1];
    const node: SyntaxNode = {
      type: 'node',
      kind: open.kind,
      start: first ? first.start : (this.peekToken()?.start ?? this.text.length),
      end: last ? last.end : (this.peekToken()?.start ?? this.text.length),
      children: open.children,
      parent: undefined,
    };
    for (const c of node.children) c.parent = node;
    if (this.stack.length > 0) this.current().children.push(node);
    return node;
  }

  error(code: ParseErrorCode, message: string, start?: number, end?: number): void {
    const t = this.peekToken();
    const s = start ?? t?.start ?? this.text.length;
    const e = end ?? t?.end ?? this.text.length;
    // One error per position is enough.
    const last = this.errors[this.errors.length - 1];
    if (last && last.start === s && last.code === code) return;
    this.errors.push({ code, message, start: s, end: e });
  }

  /** Reports `expected X` at the next token without consuming it. */
  expect(kind: TokenKind): boolean {
    if (this.eat(kind)) return true;
    const t = this.peekToken();
    this.error(
      'expected',
      `expected ${NAMES[kind] ?? kind}, found ${describe(t?.kind, t ? this.tokenText(t) : '')}`,
    );
    return false;
  }

  /** Wraps the next token in an Error node (always makes progress). */
  errorToken(message: string): void {
    const t = this.peekToken();
    if (!t) return;
    this.error(t.kind === 'error' ? 'invalid-token' : 'unexpected-token', message);
    this.start('Error');
    this.bump();
    this.finish();
  }

  // ---- grammar ----

  parseRoot(): SyntaxNode {
    this.stack.push({ kind: 'Root', children: [] });
    if (this.peek() !== undefined) this.expr();
    else
      this.error('expected', 'expected an expression, found end of file', this.text.length, this.text.length);
    while (this.peek() !== undefined) {
      const t = this.peekToken()!;
      this.error(
        'unexpected-token',
        `unexpected ${describe(t.kind, this.tokenText(t))} after the expression`,
      );
      this.start('Error');
      while (this.peek() !== undefined) this.bump();
      this.finish();
    }
    this.flushTrivia();
    const open = this.stack.pop()!;
    const root: SyntaxNode = {
      type: 'node',
      kind: 'Root',
      start: 0,
      end: this.text.length,
      children: open.children,
      parent: undefined,
    };
    for (const c of root.children) c.parent = root;
    return root;
  }

  /**
   * The input as one binding (`name = value;`) and nothing else, for incremental reparsing:
   * `depth` is the nesting depth the binding has in its file (so the depth cap acts as it would
   * there). Undefined unless the input is exactly one Binding parsed without any error.
   */
  parseLoneBinding(depth: number): SyntaxNode | undefined {
    this.depth = depth;
    const k = this.peek();
    if (k !== 'ident' && k !== 'kw_or' && k !== 'quote' && k !== 'interp_open') return undefined;
    this.stack.push({ kind: 'Root', children: [] });
    this.binding(NO_STOP);
    this.flushTrivia();
    const open = this.stack.pop()!;
    if (this.pos !== this.raw.length || this.errors.length > 0 || open.children.length !== 1)
      return undefined;
    const node = open.children[0]!;
    if (node.type !== 'node' || node.kind !== 'Binding') return undefined;
    node.parent = undefined;
    return node;
  }

  /** Past MAX_DEPTH the rest of the input becomes one Error node (no stack overflow). */
  private tooDeep(): boolean {
    if (this.depth < MAX_DEPTH) return false;
    this.error('too-deep', `expression nested deeper than ${MAX_DEPTH} levels`);
    this.start('Error');
    while (this.peek() !== undefined) this.bump();
    this.finish();
    return true;
  }

  /** expr_function level. */
  expr(): void {
    if (this.tooDeep()) return;
    this.depth++;
    this.exprFunction();
    this.depth--;
  }

  private exprFunction(): void {
    const k = this.peek();
    if (k === 'ident' && (this.peek(1) === 'colon' || this.peek(1) === 'at')) {
      this.lambda();
      return;
    }
    if (k === 'l_brace' && this.looksLikePattern()) {
      this.lambda();
      return;
    }
    if (k === 'kw_assert' || k === 'kw_with') {
      this.start(k === 'kw_assert' ? 'Assert' : 'With');
      this.bump();
      this.expr();
      this.expect('semicolon');
      this.expr();
      this.finish();
      return;
    }
    if (k === 'kw_let' && this.peek(1) !== 'l_brace') {
      this.start('LetIn');
      this.bump();
      this.bindings(new Set(['kw_in']));
      for (const c of this.current().children) {
        const name = c.type === 'node' && c.kind === 'Binding' ? firstAttr(c) : undefined;
        if (name && isDynamicAttr(name))
          this.error(
            'dynamic-attribute',
            'dynamic attributes not allowed in `let`: the name must be known without evaluating',
            name.start,
            name.end,
          );
      }
      if (this.expect('kw_in')) this.expr();
      else if (this.peek() !== undefined && this.peek() !== 'r_brace' && this.peek() !== 'r_paren')
        this.expr();
      this.finish();
      return;
    }
    if (k === 'kw_if') {
      this.start('IfElse');
      this.bump();
      this.expr();
      if (this.expect('kw_then')) this.expr();
      if (this.expect('kw_else')) this.expr();
      this.finish();
      return;
    }
    this.exprPipe();
  }

  /**
   * expr_op, or a chain of pipe operators over expr_op operands (Nix ≥ 2.24, experimental feature
   * `pipe-operators`; parser.y `expr_pipe_into` / `expr_pipe_from`): `|>` is left-associative,
   * `<|` right-associative, both bind looser than every other operator (`->` included), and the
   * two may not be mixed without parentheses.
   */
  private exprPipe(): void {
    let cp = this.checkpoint();
    this.exprOp(0);
    const first = this.peek();
    if (first !== 'pipe_right' && first !== 'pipe_left') return;
    // `a |> f |> g` is ((a |> f) |> g): each `|>` wraps everything before it. `f <| g <| a` is
    // (f <| (g <| a)): each `<|` wraps only the operand before it, and the nodes are closed at
    // the end, innermost first (they count towards the nesting cap).
    let open = 0;
    for (;;) {
      const op = this.peek();
      if (op !== 'pipe_right' && op !== 'pipe_left') break;
      if (op !== first) {
        this.error(
          'unexpected-token',
          `\`${op === 'pipe_right' ? '|>' : '<|'}\` and \`${first === 'pipe_right' ? '|>' : '<|'}\` cannot be mixed: add parentheses`,
        );
      }
      if (first === 'pipe_left' && this.tooDeep()) break;
      this.startAt(cp, 'BinaryOp');
      this.bump();
      if (first === 'pipe_left') {
        open++;
        this.depth++;
        cp = this.checkpoint();
      }
      if (this.atExprEnd()) this.error('expected', 'expected an expression after the operator');
      else this.exprOp(0);
      if (first === 'pipe_right') this.finish();
    }
    this.depth -= open;
    while (open-- > 0) this.finish();
  }

  /** After `{`: formals (`{ a, b ? 1, ... }:` / `@`) or an attribute set? */
  private looksLikePattern(): boolean {
    const a = this.peek(1);
    if (a === 'r_brace') {
      const after = this.peek(2);
      return after === 'colon' || after === 'at';
    }
    if (a === 'ellipsis') return true;
    if (a === 'ident') {
      const b = this.peek(2);
      if (b === 'comma' || b === 'question') return true;
      if (b === 'r_brace') {
        const after = this.peek(3);
        return after === 'colon' || after === 'at';
      }
    }
    return false;
  }

  private lambda(): void {
    this.start('Lambda');
    if (this.at('ident')) {
      if (this.peek(1) === 'at') {
        this.start('Pattern');
        this.bump();
        this.bump(); // @
        if (this.at('l_brace')) this.formals();
        else this.expect('l_brace');
        this.finish();
      } else {
        this.start('IdentParam');
        this.bump();
        this.finish();
      }
    } else {
      this.start('Pattern');
      this.formals();
      if (this.at('at')) {
        this.bump();
        if (this.at('ident')) this.bump();
        else this.expect('ident');
      }
      this.finish();
    }
    if (this.expect('colon')) this.expr();
    this.finish();
  }

  /** `{ a, b ? e, ... }` inside a Pattern node. */
  private formals(): void {
    this.bump(); // {
    for (;;) {
      const k = this.peek();
      if (k === 'r_brace' || k === undefined) break;
      if (k === 'ellipsis') {
        this.bump();
        if (this.at('comma')) this.errorToken('`...` must be the last formal');
        continue;
      }
      if (k === 'ident') {
        this.start('PatEntry');
        this.bump();
        if (this.eat('question')) this.expr();
        this.finish();
        if (!this.eat('comma')) {
          if (!this.at('r_brace')) {
            this.expect('comma');
            if (this.peek() !== 'ident' && this.peek() !== 'ellipsis') break;
          }
        }
        continue;
      }
      if (k === 'comma') {
        this.errorToken('unexpected `,` in formals');
        continue;
      }
      break;
    }
    this.expect('r_brace');
  }

  /** Operator expressions (Pratt). */
  private exprOp(minPrec: number): void {
    const cp = this.checkpoint();
    const k = this.peek();
    if (k === 'not') {
      this.start('UnaryOp');
      this.bump();
      this.exprOp(NOT_PREC + 1);
      this.finish();
    } else if (k === 'sub') {
      this.start('UnaryOp');
      this.bump();
      this.exprOp(NEGATE_PREC + 1);
      this.finish();
    } else {
      this.exprApp();
    }
    let lastNonAssoc = -1;
    for (;;) {
      const op = this.peek();
      if (op === 'question') {
        if (HAS_ATTR_PREC < minPrec) break;
        if (lastNonAssoc === HAS_ATTR_PREC)
          this.error('unexpected-token', '`?` is not associative: add parentheses');
        this.startAt(cp, 'HasAttr');
        this.bump();
        this.attrpath();
        this.finish();
        lastNonAssoc = HAS_ATTR_PREC;
        continue;
      }
      const info = op ? BINARY[op] : undefined;
      if (!info || info.prec < minPrec) break;
      if (info.assoc === 'none' && lastNonAssoc === info.prec) {
        const t = this.peekToken()!;
        this.error(
          'unexpected-token',
          `${describe(t.kind, this.tokenText(t))} is not associative: add parentheses`,
        );
      }
      this.startAt(cp, 'BinaryOp');
      this.bump();
      if (this.atExprEnd()) this.error('expected', 'expected an expression after the operator');
      else this.exprOp(info.assoc === 'right' ? info.prec : info.prec + 1);
      this.finish();
      lastNonAssoc = info.assoc === 'none' ? info.prec : -1;
    }
  }

  private atExprEnd(): boolean {
    const k = this.peek();
    return (
      k === undefined ||
      k === 'semicolon' ||
      k === 'r_brace' ||
      k === 'r_paren' ||
      k === 'r_bracket' ||
      k === 'kw_in' ||
      k === 'kw_then' ||
      k === 'kw_else' ||
      k === 'comma'
    );
  }

  /** Function application: expr_select+. */
  private exprApp(): void {
    const cp = this.checkpoint();
    if (!this.exprSelect()) return;
    while (this.canStartArgument()) {
      this.startAt(cp, 'Apply');
      this.exprSelect();
      this.finish();
    }
  }

  private canStartArgument(): boolean {
    const k = this.peek();
    if (!k || !SIMPLE_START.has(k)) return false;
    if (k === 'kw_let' && this.peek(1) !== 'l_brace') return false;
    // Recovery: a new binding on the next line (`name =`, `a.b.c =`) means a `;` is missing.
    if (k === 'ident' && this.startsBindingOnNewLine()) return false;
    return true;
  }

  /** Is the next token an attribute path at the start of a line, followed by `=`? */
  private startsBindingOnNewLine(): boolean {
    const i = this.sig(this.pos);
    const t = this.raw[i];
    if (!t) return false;
    let j = i - 1;
    let newline = false;
    while (j >= 0 && TRIVIA.has(this.raw[j]!.kind)) {
      if (this.tokenText(this.raw[j]!).includes('\n')) newline = true;
      j--;
    }
    if (!newline) return false;
    let k = 1;
    for (;;) {
      const n = this.peek(k);
      if (n === 'assign') return true;
      if (n !== 'dot') return false;
      const a = this.peek(k + 1);
      if (a !== 'ident' && a !== 'kw_or' && a !== 'quote') return false;
      if (a === 'quote') return false;
      k += 2;
    }
  }

  /**
   * expr_select: simple (`.` attrpath (`or` select)?)? | simple `or`; returns false if nothing
   * was parsed. `simple or` (no `.`) is parser.y's backwards-compatible application of `simple`
   * to a variable named `or` (`map or [ … ]`): an Apply whose argument is that Ident.
   */
  private exprSelect(): boolean {
    const cp = this.checkpoint();
    if (!this.exprSimple()) return false;
    if (this.at('kw_or')) {
      this.startAt(cp, 'Apply');
      this.start('Ident');
      this.bump('ident');
      this.finish();
      this.finish();
      return true;
    }
    if (this.at('dot')) {
      this.startAt(cp, 'Select');
      this.bump();
      this.attrpath();
      if (this.at('kw_or')) {
        this.bump();
        const before = this.errors.length;
        if (!this.exprSelect()) {
          if (this.errors.length === before) this.error('expected', 'expected a default value after `or`');
        }
      }
      this.finish();
    }
    return true;
  }

  private exprSimple(): boolean {
    if (this.tooDeep()) return true;
    this.depth++;
    const r = this.exprSimpleInner();
    this.depth--;
    return r;
  }

  private exprSimpleInner(): boolean {
    const k = this.peek();
    switch (k) {
      case 'ident':
        this.start('Ident');
        this.bump();
        this.finish();
        return true;
      case 'int':
      case 'float':
      case 'uri':
        this.start('Literal');
        this.bump();
        this.finish();
        return true;
      case 'search_path':
        this.start('SearchPath');
        this.bump();
        this.finish();
        return true;
      case 'path':
        this.path();
        return true;
      case 'quote':
        this.string('String', 'quote');
        return true;
      case 'ind_quote':
        this.string('IndString', 'ind_quote');
        return true;
      case 'l_paren':
        this.start('Paren');
        this.bump();
        this.expr();
        this.expect('r_paren');
        this.finish();
        return true;
      case 'l_bracket':
        this.list();
        return true;
      case 'kw_rec':
        this.start('AttrSet');
        this.bump();
        if (this.at('l_brace')) {
          this.bump();
          this.bindings(new Set(['r_brace']));
          this.expect('r_brace');
        } else this.expect('l_brace');
        this.finish();
        return true;
      case 'l_brace':
        this.start('AttrSet');
        this.bump();
        this.bindings(new Set(['r_brace']));
        this.expect('r_brace');
        this.finish();
        return true;
      case 'kw_let':
        // legacy `let { … }`
        this.start('LegacyLet');
        this.bump();
        this.bump(); // {
        this.bindings(new Set(['r_brace']));
        this.expect('r_brace');
        this.finish();
        return true;
      case 'interp_open':
        // `${x}` in expression position is not valid Nix; parse it to keep going.
        this.error('unexpected-token', 'unexpected `${` outside a string or attribute name');
        this.interpolation();
        return true;
      default: {
        const t = this.peekToken();
        if (!t) {
          this.error('expected', 'expected an expression, found end of file');
          return false;
        }
        if (
          k === 'semicolon' ||
          k === 'r_brace' ||
          k === 'r_paren' ||
          k === 'r_bracket' ||
          k === 'kw_in' ||
          k === 'kw_then' ||
          k === 'kw_else' ||
          k === 'comma'
        ) {
          this.error('expected', `expected an expression, found ${describe(t.kind, this.tokenText(t))}`);
          return false;
        }
        if (k === 'kw_or')
          this.errorToken(
            'unexpected `or`: it is a keyword, usable as an attribute name or after a value (`f or` applies `f` to a variable named `or`)',
          );
        else this.errorToken(`unexpected ${describe(t.kind, this.tokenText(t))}`);
        return true;
      }
    }
  }

  private path(): void {
    this.start('Path');
    let last = this.peekToken()!;
    this.bump();
    for (;;) {
      const i = this.pos;
      const t = this.raw[i];
      if (!t || t.start !== last.end) break; // path parts are adjacent
      if (t.kind === 'path') {
        last = t;
        this.bump();
      } else if (t.kind === 'interp_open') {
        this.interpolation();
        const closed = this.raw[this.pos - 1];
        if (!closed) break;
        last = closed;
      } else break;
    }
    this.finish();
  }

  private interpolation(): void {
    this.start('Interpolation');
    this.bump(); // ${
    if (this.at('r_brace')) this.error('expected', 'expected an expression in `${ }`');
    else this.expr();
    if (!this.eat('r_brace')) {
      this.error('unterminated-interpolation', 'expected `}` to close `${`');
      // Skip to the closing brace of this interpolation if it is on the way.
      while (
        this.peek() !== undefined &&
        this.peek() !== 'r_brace' &&
        this.peek() !== 'quote' &&
        this.peek() !== 'ind_quote'
      )
        this.errorTokenSilently();
      this.eat('r_brace');
    }
    this.finish();
  }

  private errorTokenSilently(): void {
    this.start('Error');
    this.bump();
    this.finish();
  }

  private string(kind: 'String' | 'IndString', quote: 'quote' | 'ind_quote'): void {
    this.start(kind);
    this.bump(); // opening quote
    for (;;) {
      // Inside strings there is no trivia: read raw tokens directly.
      const t = this.raw[this.pos];
      if (!t) {
        this.error(
          'unterminated-string',
          kind === 'String'
            ? 'unterminated string: expected `"`'
            : "unterminated indented string: expected `''`",
          this.text.length,
          this.text.length,
        );
        break;
      }
      if (t.kind === 'string_content') {
        this.current().children.push(this.makeToken(t));
        this.pos++;
      } else if (t.kind === 'interp_open') {
        this.interpolation();
      } else if (t.kind === quote) {
        this.current().children.push(this.makeToken(t));
        this.pos++;
        break;
      } else {
        // Tokens left over from a broken interpolation.
        this.errorTokenSilently();
      }
    }
    this.finish();
  }

  private list(): void {
    this.start('List');
    this.bump(); // [
    for (;;) {
      const k = this.peek();
      if (k === 'r_bracket' || k === undefined) break;
      if (k === 'semicolon' || k === 'r_brace' || k === 'r_paren' || k === 'kw_in') break;
      const before = this.pos;
      if (!this.exprSelect()) break;
      if (this.pos === before) break;
    }
    this.expect('r_bracket');
    this.finish();
  }

  /** Bindings until one of `stop` (not consumed). */
  private bindings(stop: Set<TokenKind>): void {
    for (;;) {
      const k = this.peek();
      if (k === undefined || stop.has(k)) return;
      if (k === 'kw_inherit') {
        this.inherit();
        continue;
      }
      if (k === 'ident' || k === 'kw_or' || k === 'quote' || k === 'interp_open') {
        this.binding(stop);
        continue;
      }
      if (k === 'r_brace' || k === 'r_paren' || k === 'r_bracket' || k === 'kw_in') {
        // A closer that does not belong here: let the caller report it.
        return;
      }
      const t = this.peekToken()!;
      this.error(
        'unexpected-token',
        `unexpected ${describe(t.kind, this.tokenText(t))}: expected a binding (\`name = value;\`)`,
      );
      this.start('Error');
      while (
        this.peek() !== undefined &&
        this.peek() !== 'semicolon' &&
        !stop.has(this.peek()!) &&
        this.peek() !== 'r_brace'
      )
        this.bump();
      this.eat('semicolon');
      this.finish();
    }
  }

  private binding(stop: Set<TokenKind>): void {
    this.start('Binding');
    this.attrpath();
    if (this.expect('assign')) {
      if (this.at('semicolon')) this.error('expected', 'expected a value after `=`');
      else this.expr();
    } else {
      // Skip to the end of this binding.
      while (
        this.peek() !== undefined &&
        this.peek() !== 'semicolon' &&
        !stop.has(this.peek()!) &&
        this.peek() !== 'r_brace'
      ) {
        if (this.at('ident') && this.startsBindingOnNewLine()) break;
        this.errorTokenSilently();
      }
    }
    if (!this.eat('semicolon')) {
      const t = this.peekToken();
      this.error('expected', `expected \`;\`, found ${describe(t?.kind, t ? this.tokenText(t) : '')}`);
    }
    this.finish();
  }

  private inherit(): void {
    this.start('Inherit');
    this.bump();
    if (this.at('l_paren')) {
      this.start('InheritFrom');
      this.bump();
      this.expr();
      this.expect('r_paren');
      this.finish();
    }
    for (;;) {
      const k = this.peek();
      if (k === 'ident') this.bump();
      else if (k === 'kw_or') this.bump('ident');
      else if (k === 'quote' || k === 'interp_open') {
        if (k === 'quote') this.string('String', 'quote');
        else this.interpolation();
        const name = this.current().children[this.current().children.length - 1]!;
        if (isDynamicAttr(name))
          this.error(
            'dynamic-attribute',
            'dynamic attributes not allowed in `inherit`: the name must be known without evaluating',
            name.start,
            name.end,
          );
      } else break;
    }
    this.expect('semicolon');
    this.finish();
  }

  private attrpath(): void {
    this.start('Attrpath');
    this.attr();
    while (this.at('dot')) {
      this.bump();
      this.attr();
    }
    this.finish();
  }

  private attr(): void {
    const k = this.peek();
    if (k === 'ident') this.bump();
    else if (k === 'kw_or' || (k?.startsWith('kw_') ?? false)) {
      // `or` is a valid attribute name; other keywords are not, but keep going.
      if (k !== 'kw_or')
        this.error(
          'unexpected-token',
          `keyword \`${this.tokenText(this.peekToken()!)}\` cannot be an attribute name`,
        );
      this.bump('ident');
    } else if (k === 'quote') this.string('String', 'quote');
    else if (k === 'interp_open') this.interpolation();
    else {
      const t = this.peekToken();
      this.error(
        'expected',
        `expected an attribute name, found ${describe(t?.kind, t ? this.tokenText(t) : '')}`,
      );
    }
  }
}

const NO_STOP = new Set<TokenKind>();

/** The first attribute name of a Binding's Attrpath (ident token, String or Interpolation). */
export function firstAttr(binding: SyntaxNode): SyntaxElement | undefined {
  const path = binding.children.find((c) => c.type === 'node' && c.kind === 'Attrpath');
  if (!path || path.type !== 'node') return undefined;
  return path.children.find((c) => c.type === 'node' || !TRIVIA.has(c.kind));
}

/**
 * Whether an attribute name can only be known by evaluating: a string with an interpolation
 * (`"${x}"`), or `${e}` unless `e` is a string literal without interpolation (`${"a"}`,
 * `${''a''}`, in parentheses or not), which Nix reads as a plain name (parser.y `string_attr`;
 * NixOS/nix#14642). Nix refuses dynamic names in `let` and `inherit` while parsing.
 */
export function isDynamicAttr(e: SyntaxElement): boolean {
  if (e.type === 'token') return false;
  if (e.kind === 'String') return e.children.some((c) => c.type === 'node' && c.kind === 'Interpolation');
  if (e.kind !== 'Interpolation') return false;
  let inner = e.children.find((c): c is SyntaxNode => c.type === 'node');
  while (inner && inner.kind === 'Paren')
    inner = inner.children.find((c): c is SyntaxNode => c.type === 'node');
  if (!inner || (inner.kind !== 'String' && inner.kind !== 'IndString')) return true;
  return inner.children.some((c) => c.type === 'node');
}

/**
 * The tree of a file that is not analysed (not Nix text, or too large): the whole text as one
 * `error` token in an Error node, so the tree's invariants hold without lexing it.
 */
export function opaqueTree(text: string): SyntaxNode {
  const root: SyntaxNode = {
    type: 'node',
    kind: 'Root',
    start: 0,
    end: text.length,
    children: [],
    parent: undefined,
  };
  if (text.length === 0) return root;
  const token = new Token('error', 0, text.length, { text });
  const error: SyntaxNode = {
    type: 'node',
    kind: 'Error',
    start: 0,
    end: text.length,
    children: [token],
    parent: root,
  };
  token.parent = error;
  root.children.push(error);
  return root;
}

/** See Parser.parseLoneBinding. */
export function parseBinding(text: string, depth: number): SyntaxNode | undefined {
  const { tokens, errors } = lex(text);
  if (errors.length > 0) return undefined;
  return new Parser(text, tokens).parseLoneBinding(depth);
}

export function parse(text: string): ParseResult {
  const { tokens, errors: lexErrors } = lex(text);
  const p = new Parser(text, tokens);
  const root = p.parseRoot();
  // One error per place: where the lexer already said which characters it cannot read, the
  // parser's complaint about the same token adds nothing.
  const lexStarts = new Set(lexErrors.map((e) => e.start));
  const errors: ParseError[] = [
    ...lexErrors.map((e) => ({
      code: (e.code === 'trailing-slash' ? 'invalid-token' : e.code) as ParseErrorCode,
      message: e.message,
      start: e.start,
      end: e.end,
    })),
    ...(lexStarts.size === 0 ? p.errors : p.errors.filter((e) => !lexStarts.has(e.start))),
  ];
  errors.sort((a, b) => a.start - b.start);
  return { root, errors };
}
