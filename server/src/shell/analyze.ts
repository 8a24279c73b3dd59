// Shell analysis of the scripts NixOS options embed (stage-1 hooks, unit scripts).
//
// The text is parsed by mvdan/sh (the parser behind shfmt, via the `mvdan-sh` package) in bash
// mode. We walk its tree once and record every simple command with the context it runs in: at the
// top level of the shell that reads the script, or in a subshell, command substitution, pipeline,
// background job or function body. Positions are JS string indices into the analysed text.
import sh from 'mvdan-sh';

const { syntax } = sh;

export interface ShellWord {
  /** The word's text when it is a plain literal (quotes removed); undefined when it expands. */
  readonly value: string | undefined;
  /** Source text of the word, quotes included. */
  readonly raw: string;
  readonly start: number;
  readonly end: number;
  /** The last part is a quoted string: where its closing quote is (index of the quote char). */
  readonly closingQuote: number | undefined;
}

export interface ShellRedirect {
  /** `>`, `>>`, `<`, `<<`, `2>&1` … as written (without the target). */
  readonly op: string;
  readonly target: ShellWord | undefined;
}

export interface CommandContext {
  /** Runs in the shell that reads the script (not a subshell, pipeline, job or function body). */
  readonly topLevel: boolean;
  /** Innermost enclosing function, if any. */
  readonly functionName: string | undefined;
  /** Inside `( … )`, `$( … )`, `<( … )`, a multi-command pipeline or a background job. */
  readonly subshell: boolean;
  /** Inside an if/while/until condition, a `case`, or on either side of `&&`/`||`. */
  readonly conditional: boolean;
}

export interface ShellCommand {
  /** The command word (`args[0]`), undefined for pure assignments or redirections. */
  readonly name: ShellWord | undefined;
  readonly args: readonly ShellWord[];
  readonly redirects: readonly ShellRedirect[];
  /** The statement the command forms (including its redirections and `&`). */
  readonly stmtStart: number;
  readonly stmtEnd: number;
  /** Statement index within its statement list, and an id of that list. */
  readonly listId: number;
  readonly indexInList: number;
  readonly context: CommandContext;
}

export interface ShellAnalysis {
  readonly commands: readonly ShellCommand[];
  /** Functions defined in the script (name → body span). */
  readonly functions: ReadonlyMap<string, { start: number; end: number }>;
  /** Functions that run in the top-level shell: called at the top level, directly or through other such functions. */
  readonly topLevelFunctions: ReadonlySet<string>;
  /** A syntax error stops the analysis (the shell would reject the script too). */
  readonly error: { readonly index: number; readonly message: string } | undefined;
}

/** Converts UTF-8 byte offsets (what mvdan/sh reports) to JS string indices. */
function byteToIndexMap(text: string): (byte: number) => number {
  // Fast path: pure ASCII.
  if (!/[^\x00-\x7f]/.test(text)) return (b) => b;
  const map = new Uint32Array(Buffer.byteLength(text, 'utf8') + 1);
  let b = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.codePointAt(i)!;
    const bytes = c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4;
    for (let k = 0; k < bytes; k++) map[b++] = i;
    if (c >= 0x10000) i++;
  }
  map[b] = text.length;
  return (x) => (x < b ? map[x]! : text.length);
}

// mvdan-sh is mvdan/sh compiled by GopherJS. Its JavaScript API wraps every Go value it hands out
// in a fresh proxy object whose fields and methods convert values on each access; walking a tree
// through those proxies cost ~10 s and hundreds of MB per MB of script (the parse itself is ~1 s).
// So the tree is walked as GopherJS's own objects, reached through `__internal_object__`: a
// pointer to a struct is a JS object with the struct's fields under their Go names; a slice is
// { $array, $offset, $length }; a nil pointer is its type's `nil` object and a nil interface is
// GopherJS's `$ifaceNil` (a plain object); Go strings hold UTF-8 bytes one per char. Methods
// (`Pos()`, `End()`, `Offset()`) are the Go methods, without conversion.

/** A GopherJS value of the syntax tree (a pointer to a struct, a slice, a string …). */
type GoValue = any; // eslint-disable-line @typescript-eslint/no-explicit-any

function isNil(v: GoValue): boolean {
  return (
    v === null ||
    v === undefined ||
    typeof v !== 'object' ||
    v.constructor === Object ||
    v === v.constructor.nil
  );
}

/** The Go type name of a node (`CallExpr` for `*syntax.CallExpr`), '' for nil. */
function nodeType(v: GoValue): string {
  if (isNil(v)) return '';
  const s: unknown = v.constructor.string;
  return typeof s === 'string' && s.startsWith('*syntax.') ? s.slice(8) : '';
}

/** The elements of a Go slice (nil slices are empty). */
function items(s: GoValue): GoValue[] {
  if (isNil(s) || !s.$array) return [];
  const out: GoValue[] = [];
  for (let i = 0; i < s.$length; i++) out.push(s.$array[s.$offset + i]);
  return out;
}

/** A Go string (UTF-8 bytes, one per char) as a JS string. */
function goString(v: GoValue): string {
  const s = typeof v === 'string' ? v : String(v ?? '');
  return /[^\x00-\x7f]/.test(s) ? Buffer.from(s, 'latin1').toString('utf8') : s;
}

const WALK_SKIP = new Set(['Pos', 'Comment']);

/** Calls `f` on every node below `v` (fields of pointer-to-struct type, interfaces, slices of them); `f` returns false to skip a node's children. */
function walkNodes(v: GoValue, f: (n: GoValue, type: string) => boolean): void {
  const stack: GoValue[] = [v];
  while (stack.length > 0) {
    const n = stack.pop();
    const type = nodeType(n);
    if (!type || WALK_SKIP.has(type)) continue;
    if (n !== v && !f(n, type)) continue;
    const fields: { prop: string }[] | undefined = n.constructor.elem?.fields;
    if (!fields) continue;
    for (let i = fields.length - 1; i >= 0; i--) {
      const x = n[fields[i]!.prop];
      if (x === null || typeof x !== 'object') continue;
      if (x.$array) {
        for (let k = x.$length - 1; k >= 0; k--) stack.push(x.$array[x.$offset + k]);
      } else stack.push(x);
    }
  }
}

const PIPE_OPS = new Set([12, 13]); // `|` and `|&` in mvdan/sh's BinCmdOperator
const LOGIC_OPS = new Set([10, 11]); // `&&`, `||`

const parserCache: { parser: ReturnType<typeof syntax.NewParser> | undefined } = { parser: undefined };

/**
 * Analyses are memoised by script text: after an edit, the scripts that did not change are not
 * parsed again. Results are immutable. The memo is bounded by entries and by an estimate of the
 * bytes each entry keeps alive (its text and its analysis): an analysis is many small objects, so
 * bounding the texts' characters alone let 4,096 scripts of 4 KB keep ~880 MiB of heap (the
 * shell fuzz target's peak RSS). `estimateRetainedBytes` errs high; a test checks it against the
 * heap V8 really retains.
 */
const memo = new Map<string, { readonly result: ShellAnalysis; readonly bytes: number }>();
const MEMO_LIMIT = 4096;
let MEMO_BYTES = 64 * 1024 * 1024;
let memoBytes = 0;

/** Sets the memo's byte bound (tests use a small one); entries over the new bound are dropped. */
export function setShellMemoLimit(bytes: number): void {
  MEMO_BYTES = bytes;
  while (memo.size > 0 && memoBytes > MEMO_BYTES) {
    const [oldest, entry] = memo.entries().next().value!;
    memo.delete(oldest);
    memoBytes -= entry.bytes;
  }
}

/** Bytes a memo entry keeps alive, estimated from V8's object layout (64-bit, pointer compression). */
export function estimateRetainedBytes(text: string, a: ShellAnalysis): number {
  const str = (s: string | undefined): number => (s === undefined ? 0 : 16 + 2 * s.length);
  const word = (w: ShellWord): number => 64 + str(w.raw) + str(w.value);
  let n = 64 + str(text) + 96 * a.functions.size + 32 * a.topLevelFunctions.size;
  for (const c of a.commands) {
    n += 160 + 32 * c.args.length + 48 * c.redirects.length; // command, its arrays, its context
    if (c.name) n += word(c.name);
    for (const w of c.args) n += word(w);
    for (const r of c.redirects) n += 48 + (r.target ? word(r.target) : 0);
  }
  return n;
}

/** The memo's size, for tests and the server's memory report. */
export function shellMemoStats(): { entries: number; estimatedBytes: number; limitBytes: number } {
  return { entries: memo.size, estimatedBytes: memoBytes, limitBytes: MEMO_BYTES };
}

function remember(text: string, result: ShellAnalysis, known?: number): void {
  const old = memo.get(text);
  if (old) {
    memo.delete(text);
    memoBytes -= old.bytes;
  }
  const bytes = known ?? estimateRetainedBytes(text, result);
  if (bytes > MEMO_BYTES / 4) return; // one huge script is not worth evicting everything else
  while (memo.size > 0 && (memo.size >= MEMO_LIMIT || memoBytes + bytes > MEMO_BYTES)) {
    const [oldest, entry] = memo.entries().next().value!;
    memo.delete(oldest);
    memoBytes -= entry.bytes;
  }
  memo.set(text, { result, bytes }); // most recently used last
  memoBytes += bytes;
}

/** The memoised analysis of `text`, if any (marked as recently used). */
export function cachedShellAnalysis(text: string): ShellAnalysis | undefined {
  const hit = memo.get(text);
  if (hit) remember(text, hit.result, hit.bytes);
  return hit?.result;
}

/** Stores an analysis made elsewhere (a worker thread: shell/offThread.ts) so analyzeShell finds it. */
export function primeShellAnalysis(text: string, result: ShellAnalysis): void {
  remember(text, result);
}

export function analyzeShell(text: string): ShellAnalysis {
  const hit = cachedShellAnalysis(text);
  if (hit) return hit;
  const result = analyzeShellUncached(text);
  remember(text, result);
  return result;
}

function analyzeShellUncached(text: string): ShellAnalysis {
  const parser = (parserCache.parser ??= syntax.NewParser(
    syntax.KeepComments(true),
    syntax.Variant(syntax.LangBash),
  ));
  const idx = byteToIndexMap(text);
  let file: GoValue;
  try {
    file = (parser.Parse(text, 'script') as GoValue).__internal_object__;
  } catch (e) {
    const message = errorMessage(e);
    const m = /^script:(\d+):(\d+): (.*)$/s.exec(message);
    let index = 0;
    if (m) {
      const line = Number(m[1]);
      const col = Number(m[2]);
      let off = 0;
      for (let l = 1; l < line && off < text.length; l++) {
        const nl = text.indexOf('\n', off);
        if (nl < 0) break;
        off = nl + 1;
      }
      // The column counts bytes of the line.
      index = Math.min(text.length, idx(Buffer.byteLength(text.slice(0, off), 'utf8') + col - 1));
    }
    return {
      commands: [],
      functions: new Map(),
      topLevelFunctions: new Set(),
      error: { index, message: m ? m[3]! : message },
    };
  }
  const pos = (n: GoValue): number => idx(n.Pos().Offset());
  const end = (n: GoValue): number => idx(n.End().Offset());

  const commands: ShellCommand[] = [];
  const functions = new Map<string, { start: number; end: number }>();
  // Calls by scope: '' for the top level, else the function name.
  const calls = new Map<string, Set<string>>();
  let nextListId = 0;

  const word = (w: GoValue): ShellWord => {
    const start = pos(w);
    const stop = end(w);
    const raw = text.slice(start, stop);
    let value: string | undefined = '';
    let closingQuote: number | undefined;
    const parts = items(w.Parts);
    for (const part of parts) {
      const t = nodeType(part);
      if (t === 'Lit') value += unescapeLit(goString(part.Value));
      else if (t === 'SglQuoted') value += goString(part.Value);
      else if (t === 'DblQuoted') {
        for (const ip of items(part.Parts)) {
          if (nodeType(ip) === 'Lit')
            value = value === undefined ? undefined : value + unescapeDq(goString(ip.Value));
          else value = undefined;
        }
      } else value = undefined;
      if (value === undefined) break;
    }
    const last = parts[parts.length - 1];
    if (last) {
      const lt = nodeType(last);
      if (lt === 'SglQuoted' || lt === 'DblQuoted') closingQuote = end(last) - 1;
    }
    return { value, raw, start, end: stop, closingQuote };
  };

  interface Ctx {
    topLevel: boolean;
    functionName: string | undefined;
    subshell: boolean;
    conditional: boolean;
  }

  const visitStmts = (stmts: GoValue, ctx: Ctx): void => {
    const list = items(stmts);
    if (list.length === 0 && isNil(stmts)) return;
    const listId = nextListId++;
    list.forEach((s, i) => visitStmt(s, ctx, listId, i));
  };

  const visitStmt = (stmt: GoValue, ctx: Ctx, listId: number, indexInList: number): void => {
    if (isNil(stmt)) return;
    const background = Boolean(stmt.Background) || Boolean(stmt.Coprocess);
    const c: Ctx = background ? { ...ctx, topLevel: false, subshell: true } : ctx;
    const redirects: ShellRedirect[] = [];
    const redirs = items(stmt.Redirs);
    for (const r of redirs) {
      const rs = pos(r);
      const hasWord = !isNil(r.Word);
      const target = hasWord ? word(r.Word) : undefined;
      const opText = text.slice(rs, target ? target.start : end(r)).trim();
      redirects.push({ op: opText, target });
      // Command substitutions inside redirect targets and heredoc bodies run in subshells.
      if (hasWord) visitWordParts(r.Word, { ...c, topLevel: false, subshell: true });
      if (!isNil(r.Hdoc)) visitWordParts(r.Hdoc, { ...c, topLevel: false, subshell: true });
    }
    const cmd: GoValue = isNil(stmt.Cmd) ? undefined : stmt.Cmd;
    const stmtStart = pos(stmt);
    // The statement's own end includes a trailing `;`; we want the command and its redirections.
    let stmtEnd = cmd ? end(cmd) : stmtStart;
    for (const r of redirs) stmtEnd = Math.max(stmtEnd, end(r));
    if (background) stmtEnd = Math.max(stmtEnd, end(stmt));
    if (!cmd) {
      if (redirects.length > 0)
        commands.push({
          name: undefined,
          args: [],
          redirects,
          stmtStart,
          stmtEnd,
          listId,
          indexInList,
          context: c,
        });
      return;
    }
    visitCommand(cmd, c, { redirects, stmtStart, stmtEnd, listId, indexInList });
  };

  const visitWordParts = (w: GoValue, ctx: Ctx): void => {
    walkNodes(w, (n, t) => {
      if (t === 'CmdSubst' || t === 'ProcSubst') {
        visitStmts(n.Stmts, { ...ctx, topLevel: false, subshell: true });
        return false;
      }
      return true;
    });
  };

  const visitCommand = (
    cmd: GoValue,
    ctx: Ctx,
    stmt: {
      redirects: ShellRedirect[];
      stmtStart: number;
      stmtEnd: number;
      listId: number;
      indexInList: number;
    },
  ): void => {
    const t = nodeType(cmd);
    const sub = { ...ctx, topLevel: false, subshell: true };
    switch (t) {
      case 'CallExpr': {
        const argNodes = items(cmd.Args);
        const args = argNodes.map(word);
        for (const a of items(cmd.Assigns)) visitWordParts(a, sub);
        for (const w of argNodes) visitWordParts(w, sub);
        const name = args[0];
        if (args.length === 0 && stmt.redirects.length === 0) return;
        commands.push({ name, args, ...stmt, context: ctx });
        if (name?.value !== undefined) {
          const scope = ctx.subshell ? undefined : (ctx.functionName ?? '');
          if (scope !== undefined) {
            let set = calls.get(scope);
            if (!set) calls.set(scope, (set = new Set()));
            set.add(name.value);
          }
        }
        return;
      }
      case 'DeclClause': {
        // export/local/declare/readonly: a builtin with assignments.
        const lit: GoValue = isNil(cmd.Variant) ? undefined : cmd.Variant;
        const variant: ShellWord | undefined = lit
          ? (() => {
              const start = pos(lit);
              const stop = end(lit);
              return {
                value: goString(lit.Value),
                raw: text.slice(start, stop),
                start,
                end: stop,
                closingQuote: undefined,
              };
            })()
          : undefined;
        for (const a of items(cmd.Args)) visitWordParts(a, sub);
        commands.push({ name: variant, args: variant ? [variant] : [], ...stmt, context: ctx });
        return;
      }
      case 'Subshell':
        visitStmts(cmd.Stmts, sub);
        return;
      case 'Block':
        visitStmts(cmd.Stmts, ctx);
        return;
      case 'BinaryCmd': {
        const op = Number(cmd.Op);
        const side: Ctx = PIPE_OPS.has(op) ? sub : LOGIC_OPS.has(op) ? { ...ctx, conditional: true } : ctx;
        const listId = nextListId++;
        visitStmt(cmd.X, side, listId, 0);
        visitStmt(cmd.Y, side, listId, 1);
        return;
      }
      case 'IfClause': {
        let clause: GoValue = cmd;
        while (!isNil(clause)) {
          visitStmts(clause.Cond, { ...ctx, conditional: true });
          visitStmts(clause.Then, { ...ctx, conditional: true });
          clause = clause.Else;
        }
        return;
      }
      case 'WhileClause':
        visitStmts(cmd.Cond, { ...ctx, conditional: true });
        visitStmts(cmd.Do, { ...ctx, conditional: true });
        return;
      case 'ForClause':
        visitStmts(cmd.Do, { ...ctx, conditional: true });
        return;
      case 'CaseClause':
        for (const item of items(cmd.Items)) visitStmts(item.Stmts, { ...ctx, conditional: true });
        return;
      case 'FuncDecl': {
        const name = isNil(cmd.Name) ? '' : goString(cmd.Name.Value);
        const body: GoValue = cmd.Body;
        functions.set(name, { start: pos(body), end: end(body) });
        const inner: Ctx = { topLevel: false, functionName: name, subshell: false, conditional: false };
        const listId = nextListId++;
        visitStmt(body, inner, listId, 0);
        return;
      }
      case 'TimeClause':
      case 'CoprocClause':
        if (!isNil(cmd.Stmt)) visitStmt(cmd.Stmt, t === 'CoprocClause' ? sub : ctx, nextListId++, 0);
        return;
      default:
        // ArithmCmd, TestClause, LetClause …: no commands inside except substitutions.
        visitWordParts(cmd, sub);
    }
  };

  visitStmts(file.Stmts, { topLevel: true, functionName: undefined, subshell: false, conditional: false });

  // Functions that run in the top-level shell: called from the top level, transitively.
  const topLevelFunctions = new Set<string>();
  const queue = [...(calls.get('') ?? [])].filter((n) => functions.has(n));
  while (queue.length > 0) {
    const f = queue.pop()!;
    if (topLevelFunctions.has(f)) continue;
    topLevelFunctions.add(f);
    for (const g of calls.get(f) ?? []) if (functions.has(g) && !topLevelFunctions.has(g)) queue.push(g);
  }

  return { commands, functions, topLevelFunctions, error: undefined };
}

/** Whether a command runs in the shell that reads the script (so `exit` ends that shell). */
export function runsInScriptShell(c: ShellCommand, a: ShellAnalysis): boolean {
  if (c.context.topLevel) return true;
  return (
    !c.context.subshell &&
    c.context.functionName !== undefined &&
    a.topLevelFunctions.has(c.context.functionName)
  );
}

function unescapeLit(s: string): string {
  return s.replace(/\\\n/g, '').replace(/\\(.)/g, '$1');
}

function unescapeDq(s: string): string {
  return s.replace(/\\\n/g, '').replace(/\\([$`"\\])/g, '$1');
}

function errorMessage(e: unknown): string {
  if (e && typeof e === 'object') {
    const o = e as { Error?: () => string; message?: string };
    if (typeof o.Error === 'function') return o.Error();
    if (typeof o.message === 'string') return o.message;
  }
  return String(e);
}

/** Shell builtins (bash and busybox ash): never looked up on PATH. */
export const SHELL_BUILTINS: ReadonlySet<string> = new Set(
  (
    '. : [ [[ alias bg bind break builtin caller cd command compgen complete compopt continue declare dirs disown ' +
    'echo enable eval exec exit export false fc fg getopts hash help history jobs kill let local logout mapfile ' +
    'popd printf pushd pwd read readarray readonly return set shift shopt source suspend test times trap true ' +
    'type typeset ulimit umask unalias unset wait'
  ).split(' '),
);
