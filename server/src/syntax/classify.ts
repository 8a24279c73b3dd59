// Is a `.nix` file Nix text at all? Repositories hold files named `.nix` that are not: git-crypt
// or agenix/sops secrets (encrypted until unlocked), binary data, JSON, DNS zone files, window
// manager configs. Parsing them as Nix gives a syntax error per line or per byte, none of them
// useful. A file classified here is not analysed; the rule file-not-analysed says so once.
//
// The classification is deliberately conservative: a real Nix file with mistakes (a missing `;`,
// an extra `}`, an unresolved merge conflict) must keep its syntax errors. Text is called "not
// Nix" only when it does not even begin like a Nix expression, or when characters Nix cannot
// read outside strings and comments are spread over many of its lines; the finding still quotes
// Nix's first syntax error, in case the file is meant to be Nix.
import type { ParseError, SyntaxNode, TokenKind } from './tree';
import { SIMPLE_START } from './parser';
import { TRIVIA } from './tree';

export type NotNixKind = 'git-crypt' | 'age' | 'pgp' | 'sops' | 'binary' | 'json' | 'not-nix';

export interface NotNix {
  readonly kind: NotNixKind;
  /** One sentence for the user: what the file is and what to do. */
  readonly message: string;
}

const GIT_CRYPT = '\0GITCRYPT\0';
const AGE_BINARY = 'age-encryption.org/v1\n';
const AGE_ARMOR = '-----BEGIN AGE ENCRYPTED FILE-----';
const PGP_ARMOR = '-----BEGIN PGP MESSAGE-----';
/** sops marks every encrypted value so (JSON, YAML, dotenv and INI outputs alike). */
const SOPS_VALUE = /ENC\[AES256_GCM,data:/;
const SOPS_METADATA = /["']?sops["']?\s*[:=]/;
const SAMPLE = 8192;

/** Encrypted or binary content, told from the bytes alone (before parsing). */
export function opaqueContent(text: string): NotNix | undefined {
  if (text.startsWith(GIT_CRYPT)) {
    return {
      kind: 'git-crypt',
      message:
        'the file is encrypted with git-crypt (it starts with the `\\0GITCRYPT\\0` header). Run `git-crypt unlock` in the repository to lint it.',
    };
  }
  const head = text.slice(0, 200).trimStart();
  if (head.startsWith(AGE_BINARY.trimEnd()) || head.startsWith(AGE_ARMOR)) {
    return { kind: 'age', message: 'the file is encrypted with age (as agenix secrets are), not Nix text.' };
  }
  if (head.startsWith(PGP_ARMOR))
    return { kind: 'pgp', message: 'the file is a PGP-encrypted message, not Nix text.' };
  if (text.includes('\0'))
    return { kind: 'binary', message: 'the file is binary data (it contains NUL bytes), not Nix text.' };
  // Control characters other than whitespace, and U+FFFD (bytes that were not UTF-8), are rare in
  // text and common in binary data.
  const sample = Math.min(text.length, SAMPLE);
  let odd = 0;
  for (let i = 0; i < sample; i++) {
    const c = text.charCodeAt(i);
    if ((c < 32 && c !== 9 && c !== 10 && c !== 13 && c !== 12) || c === 127 || c === 0xfffd) odd++;
  }
  if (odd >= 8 && odd * 50 > sample) {
    return {
      kind: 'binary',
      message:
        'the file is binary data (bytes that are not UTF-8 text, or control characters), not Nix text.',
    };
  }
  return undefined;
}

/** Tokens a Nix expression can begin with (parser.y expr_function / expr_op / expr_simple): an
 * application's argument, or `if`, `with`, `assert`, `!`, unary `-`. */
const EXPR_START = new Set<TokenKind>([...SIMPLE_START, 'kw_if', 'kw_with', 'kw_assert', 'not', 'sub']);

/** A stray closer first is a Nix editing mistake, not another language. */
const STRAY_CLOSER = new Set<TokenKind>(['r_brace', 'r_bracket', 'r_paren', 'semicolon']);

/** Lines that are merge-conflict markers: such a file is Nix with a conflict, not another language. */
const CONFLICT = /^(<{7}|={7}|>{7})(\s|$)/m;

/** 1-based line numbers of offsets, by binary search over the line starts (computed once). */
function lineFinder(text: string): (offset: number) => number {
  const starts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return (offset) => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  };
}

function shown(s: string): string {
  const one = s.length > 20 ? `${s.slice(0, 20)}…` : s;
  return one.replace(/[\u0000-\u001f\u007f-\u009f`]/g, (ch) =>
    ch === '`' ? "'" : `\\x${ch.charCodeAt(0).toString(16).padStart(2, '0')}`,
  );
}

function firstSignificant(root: SyntaxNode): { kind: TokenKind; start: number; end: number } | undefined {
  const stack: SyntaxNode['children'][number][] = [root];
  while (stack.length > 0) {
    const e = stack.pop()!;
    if (e.type === 'token') {
      if (!TRIVIA.has(e.kind)) return e;
      continue;
    }
    for (let i = e.children.length - 1; i >= 0; i--) stack.push(e.children[i]!);
  }
  return undefined;
}

/**
 * Text that parsed with errors and is evidently another format or language. Called only for
 * files with syntax errors; `errors` are the parse's (sorted by position).
 */
export function notNixText(
  text: string,
  root: SyntaxNode,
  errors: readonly ParseError[],
): NotNix | undefined {
  if (errors.length === 0) return undefined;
  const first = errors[0]!;
  const lineOf = lineFinder(text);
  const nixSays = `If it is meant to be Nix, Nix fails here too: ${first.message} (line ${lineOf(first.start)}).`;
  if (SOPS_VALUE.test(text) && SOPS_METADATA.test(text)) {
    return {
      kind: 'sops',
      message: 'the file is encrypted with sops (its values are `ENC[AES256_GCM,…]`), not Nix text.',
    };
  }
  const trimmed = text.trimStart();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    try {
      JSON.parse(text);
      return {
        kind: 'json',
        message:
          'the file is JSON, not Nix: Nix cannot import it (`builtins.fromJSON (builtins.readFile ./file)` reads JSON).',
      };
    } catch {
      // not JSON
    }
  }
  if (CONFLICT.test(text)) return undefined;
  const start = firstSignificant(root);
  if (start && !EXPR_START.has(start.kind) && !STRAY_CLOSER.has(start.kind)) {
    return {
      kind: 'not-nix',
      message: `the file does not look like Nix: it begins with \`${shown(text.slice(start.start, start.end))}\`, which no Nix expression can begin with. ${nixSays}`,
    };
  }
  // Characters Nix cannot read outside strings and comments (`$name`, `%`, `^`, …) on many lines.
  const badLines = new Set<number>();
  for (const e of errors)
    if (e.code === 'invalid-token' && e.message.startsWith('unexpected character'))
      badLines.add(lineOf(e.start));
  if (badLines.size >= 3) {
    let lines = 0;
    for (const l of text.split('\n')) if (l.trim() !== '') lines++;
    if (badLines.size * 4 >= lines) {
      return {
        kind: 'not-nix',
        message: `the file does not look like Nix: ${badLines.size} of its ${lines} lines have characters Nix cannot read outside strings and comments. ${nixSays}`,
      };
    }
  }
  return undefined;
}
