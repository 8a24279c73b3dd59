// The lossless concrete syntax tree of a Nix file.
//
// Invariants (tested):
// - every byte of the input is in exactly one token; concatenating the text of all tokens in
//   tree order gives back the input (see `printTree`);
// - a node's [start, end) is the span of its first to its last token (a node may be empty only
//   when it is the Root of an empty file);
// - parsing never throws: syntax errors are returned beside the tree and the tree still covers
//   the whole input (unexpected tokens are wrapped in `Error` nodes).
//
// The shape of each node kind is documented beside it: the children listed are the significant
// ones; trivia tokens (whitespace, comments) may appear between any two of them.

export type TokenKind =
  // trivia
  | 'whitespace'
  | 'line_comment' // # … up to (not including) the newline
  | 'block_comment' // /* … */
  // literals and names
  | 'ident' // also `or` when used as an identifier (e.g. `{ or = 1; }`), and `__curPos` etc.
  | 'int'
  | 'float'
  | 'uri' // http://example.org/foo (unquoted URI literal)
  | 'path' // a path segment text: ./foo, /abs, ~/x, foo/bar, and the text chunks of an interpolated path
  | 'search_path' // <nixpkgs> or <nixpkgs/lib>
  // string pieces
  | 'quote' // " opening or closing a normal string
  | 'ind_quote' // '' opening or closing an indented string
  | 'string_content' // raw source text of a string chunk, escapes NOT decoded
  | 'interp_open' // ${
  // keywords
  | 'kw_assert'
  | 'kw_else'
  | 'kw_if'
  | 'kw_in'
  | 'kw_inherit'
  | 'kw_let'
  | 'kw_or'
  | 'kw_rec'
  | 'kw_then'
  | 'kw_with'
  // punctuation and operators
  | 'l_brace'
  | 'r_brace'
  | 'l_bracket'
  | 'r_bracket'
  | 'l_paren'
  | 'r_paren'
  | 'semicolon'
  | 'colon'
  | 'comma'
  | 'dot'
  | 'ellipsis'
  | 'at'
  | 'assign' // =
  | 'question' // ?
  | 'concat' // ++
  | 'update' // //
  | 'add'
  | 'sub'
  | 'mul'
  | 'div'
  | 'not' // !
  | 'eq' // ==
  | 'neq' // !=
  | 'lt'
  | 'le'
  | 'gt'
  | 'ge'
  | 'and' // &&
  | 'or_op' // ||
  | 'implies' // ->
  | 'pipe_right' // |>  (Nix ≥ 2.24, experimental feature pipe-operators)
  | 'pipe_left' // <|  (idem)
  | 'error'; // a byte sequence the lexer cannot make sense of (e.g. a lone `'`, `$`, `&`)

export type NodeKind =
  | 'Root' // expr? (plus Error nodes for leftovers)
  | 'Error' // any tokens/nodes that could not be parsed where they are
  | 'Literal' // int | float | uri token
  | 'Ident' // ident token: a variable reference
  | 'String' // quote (string_content | Interpolation)* quote
  | 'IndString' // ind_quote (string_content | Interpolation)* ind_quote
  | 'Path' // (path | Interpolation)+ ; a single path token when not interpolated
  | 'SearchPath' // search_path token
  | 'Interpolation' // interp_open expr r_brace
  | 'Paren' // l_paren expr r_paren
  | 'List' // l_bracket expr* r_bracket  (elements are select-level expressions)
  | 'AttrSet' // kw_rec? l_brace (Binding | Inherit)* r_brace
  | 'LetIn' // kw_let (Binding | Inherit)* kw_in expr
  | 'LegacyLet' // kw_let l_brace (Binding | Inherit)* r_brace
  | 'Binding' // Attrpath assign expr semicolon
  | 'Inherit' // kw_inherit InheritFrom? (Ident-token | String | Interpolation)* semicolon
  | 'InheritFrom' // l_paren expr r_paren
  | 'Attrpath' // attr (dot attr)* where attr = ident token | String | Interpolation
  | 'Select' // expr dot Attrpath (kw_or expr)?
  | 'HasAttr' // expr question Attrpath
  | 'Apply' // expr expr (also `f or`: f applied to the variable `or`, parser.y's backwards-compatible form)
  | 'UnaryOp' // (not | sub) expr
  | 'BinaryOp' // expr op expr (op also `|>` / `<|`: a pipe chain over operator expressions)
  | 'IfElse' // kw_if expr kw_then expr kw_else expr
  | 'With' // kw_with expr semicolon expr
  | 'Assert' // kw_assert expr semicolon expr
  | 'Lambda' // (IdentParam | Pattern) colon expr
  | 'IdentParam' // ident token
  | 'Pattern' // (ident at)? l_brace (PatEntry (comma PatEntry)* (comma ellipsis)? | ellipsis)? r_brace (at ident)?
  | 'PatEntry'; // ident (question expr)?

export interface SyntaxToken {
  readonly type: 'token';
  readonly kind: TokenKind;
  readonly start: number;
  readonly end: number;
  readonly text: string;
  parent: SyntaxNode | undefined;
}

export interface SyntaxNode {
  readonly type: 'node';
  readonly kind: NodeKind;
  start: number;
  end: number;
  readonly children: SyntaxElement[];
  parent: SyntaxNode | undefined;
}

export type SyntaxElement = SyntaxNode | SyntaxToken;

export type ParseErrorCode =
  | 'unexpected-token'
  | 'expected' // something specific was expected: the message says what
  | 'unterminated-string'
  | 'unterminated-comment'
  | 'unterminated-interpolation'
  | 'invalid-token'
  | 'dynamic-attribute' // `${…}` name where Nix needs a static one (`let`, `inherit`)
  | 'too-deep'; // nesting depth cap reached; the rest of the subtree is kept as Error tokens

export interface ParseError {
  readonly code: ParseErrorCode;
  readonly message: string; // e.g. "expected `;`", "unexpected `}`"
  readonly start: number;
  readonly end: number;
}

export interface ParseResult {
  readonly root: SyntaxNode;
  readonly errors: ParseError[];
}

export const TRIVIA: ReadonlySet<TokenKind> = new Set(['whitespace', 'line_comment', 'block_comment']);

export function isTrivia(e: SyntaxElement): boolean {
  return e.type === 'token' && TRIVIA.has(e.kind);
}
