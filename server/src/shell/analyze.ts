// Shell analysis of the scripts NixOS options embed (stage-1 hooks, unit scripts).
//
// The text is parsed by mvdan/sh (the parser behind shfmt, via the `mvdan-sh` package) in bash
// mode. We walk its tree once and record every simple command with the context it runs in: at the
// top level of the shell that reads the script, or in a subshell, command substitution, pipeline,
// background job or function body. Positions are JS string indices into the analysed text.
import sh, { type Node } from 'mvdan-sh';

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
  // eslint-disable-next-line no-control-regex
  if (!/[^\x00-\x7f]/.test(text)) return (b) => b;
  const map: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text.codePointAt(i)!;
    const bytes = c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4;
    for (let k = 0; k < bytes; k++) map.push(i);
    if (c >= 0x10000) i++;
  }
  map.push(text.length);
  return (b) => (b < map.length ? map[b]! : text.length);
}

const PIPE_OPS = new Set([12, 13]); // `|` and `|&` in mvdan/sh's BinCmdOperator
const LOGIC_OPS = new Set([10, 11]); // `&&`, `||`

const parserCache: { parser: ReturnType<typeof syntax.NewParser> | undefined } = { parser: undefined };

/**
 * Analyses are memoised by script text (bounded): after an edit, the scripts that did not change
 * are not parsed again. Results are immutable.
 */
const memo = new Map<string, ShellAnalysis>();
const MEMO_LIMIT = 4096;

export function analyzeShell(text: string): ShellAnalysis {
  const hit = memo.get(text);
  if (hit) {
    memo.delete(text);
    memo.set(text, hit); // most recently used last
    return hit;
  }
  const result = analyzeShellUncached(text);
  if (memo.size >= MEMO_LIMIT) memo.delete(memo.keys().next().value!);
  memo.set(text, result);
  return result;
}

function analyzeShellUncached(text: string): ShellAnalysis {
  const parser = (parserCache.parser ??= syntax.NewParser(syntax.KeepComments(true), syntax.Variant(syntax.LangBash)));
  const idx = byteToIndexMap(text);
  let file: Node;
  try {
    file = parser.Parse(text, 'script');
  } catch (e) {
    const message = errorMessage(e);
    const m = /^script:(\d+):(\d+): (.*)$/s.exec(message);
    let index = 0;
    if (m) {
      const line = Number(m[1]);
      const col = Number(m[2]);
      let off = 0;
      for (let l = 1; l < line; l++) off = text.indexOf('\n', off) + 1;
      index = Math.min(text.length, off + col - 1);
    }
    return { commands: [], functions: new Map(), topLevelFunctions: new Set(), error: { index, message: m ? m[3]! : message } };
  }

  const commands: ShellCommand[] = [];
  const functions = new Map<string, { start: number; end: number }>();
  // Calls by scope: '' for the top level, else the function name.
  const calls = new Map<string, Set<string>>();
  let nextListId = 0;

  const word = (w: Node): ShellWord => {
    const start = idx(w.Pos().Offset());
    const end = idx(w.End().Offset());
    const raw = text.slice(start, end);
    let value: string | undefined = '';
    let closingQuote: number | undefined;
    const parts: Node[] = w.Parts ?? [];
    for (const part of parts) {
      const t = syntax.NodeType(part);
      if (t === 'Lit') value += unescapeLit(String(part.Value));
      else if (t === 'SglQuoted') value += String(part.Value);
      else if (t === 'DblQuoted') {
        const inner: Node[] = part.Parts ?? [];
        for (const ip of inner) {
          if (syntax.NodeType(ip) === 'Lit') value = value === undefined ? undefined : value + unescapeDq(String(ip.Value));
          else value = undefined;
        }
      } else value = undefined;
      if (value === undefined) break;
    }
    const last = parts[parts.length - 1];
    if (last) {
      const lt = syntax.NodeType(last);
      if (lt === 'SglQuoted' || lt === 'DblQuoted') closingQuote = idx(last.End().Offset()) - 1;
    }
    return { value, raw, start, end, closingQuote };
  };

  interface Ctx {
    topLevel: boolean;
    functionName: string | undefined;
    subshell: boolean;
    conditional: boolean;
  }

  const visitStmts = (stmts: Node[] | undefined, ctx: Ctx): void => {
    if (!stmts) return;
    const listId = nextListId++;
    stmts.forEach((s, i) => visitStmt(s, ctx, listId, i));
  };

  const visitStmt = (stmt: Node, ctx: Ctx, listId: number, indexInList: number): void => {
    const background = Boolean(stmt.Background) || Boolean(stmt.Coprocess);
    const c: Ctx = background ? { ...ctx, topLevel: false, subshell: true } : ctx;
    const redirects: ShellRedirect[] = [];
    for (const r of (stmt.Redirs as Node[] | undefined) ?? []) {
      const rs = idx(r.Pos().Offset());
      const target = r.Word ? word(r.Word) : undefined;
      const opText = text.slice(rs, target ? target.start : idx(r.End().Offset())).trim();
      redirects.push({ op: opText, target });
      // Command substitutions inside redirect targets and heredoc bodies run in subshells.
      if (r.Word) visitWordParts(r.Word, { ...c, topLevel: false, subshell: true });
      if (r.Hdoc) visitWordParts(r.Hdoc, { ...c, topLevel: false, subshell: true });
    }
    const cmd: Node | undefined = stmt.Cmd ?? undefined;
    const cmd0End = (st: Node): number => {
      let end = st.Cmd ? idx(st.Cmd.End().Offset()) : idx(st.Pos().Offset());
      for (const r of (st.Redirs as Node[] | undefined) ?? []) end = Math.max(end, idx(r.End().Offset()));
      if (background) end = Math.max(end, idx(st.End().Offset()));
      return end;
    };
    const stmtStart = idx(stmt.Pos().Offset());
    // The statement's own end includes a trailing `;`; we want the command and its redirections.
    const stmtEnd = cmd0End(stmt);
    if (!cmd) {
      if (redirects.length > 0)
        commands.push({ name: undefined, args: [], redirects, stmtStart, stmtEnd, listId, indexInList, context: c });
      return;
    }
    visitCommand(cmd, c, { redirects, stmtStart, stmtEnd, listId, indexInList });
  };

  const visitWordParts = (w: Node, ctx: Ctx): void => {
    syntax.Walk(w, (n) => {
      if (!n) return true;
      const t = syntax.NodeType(n);
      if (t === 'CmdSubst' || t === 'ProcSubst') {
        visitStmts(n.Stmts, { ...ctx, topLevel: false, subshell: true });
        return false;
      }
      return true;
    });
  };

  const visitCommand = (
    cmd: Node,
    ctx: Ctx,
    stmt: { redirects: ShellRedirect[]; stmtStart: number; stmtEnd: number; listId: number; indexInList: number },
  ): void => {
    const t = syntax.NodeType(cmd);
    const sub = { ...ctx, topLevel: false, subshell: true };
    switch (t) {
      case 'CallExpr': {
        const args = ((cmd.Args as Node[] | undefined) ?? []).map(word);
        for (const a of (cmd.Assigns as Node[] | undefined) ?? []) if (a.Value) visitWordParts(a.Value, sub);
        for (const w of (cmd.Args as Node[] | undefined) ?? []) visitWordParts(w, sub);
        const name = args[0];
        if (args.length === 0 && stmt.redirects.length === 0) return;
        commands.push({ name, args, ...stmt, context: ctx });
        if (name?.value !== undefined) {
          const scope = ctx.subshell ? undefined : ctx.functionName ?? '';
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
        const lit: Node | undefined = cmd.Variant ?? undefined;
        const variant: ShellWord | undefined = lit
          ? (() => {
              const start = idx(lit.Pos().Offset());
              const end = idx(lit.End().Offset());
              return { value: String(lit.Value), raw: text.slice(start, end), start, end, closingQuote: undefined };
            })()
          : undefined;
        for (const a of (cmd.Args as Node[] | undefined) ?? []) if (a.Value) visitWordParts(a.Value, sub);
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
        let clause: Node | undefined = cmd;
        while (clause) {
          visitStmts(clause.Cond, { ...ctx, conditional: true });
          visitStmts(clause.Then, { ...ctx, conditional: true });
          clause = clause.Else ?? undefined;
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
        for (const item of (cmd.Items as Node[] | undefined) ?? []) visitStmts(item.Stmts, { ...ctx, conditional: true });
        return;
      case 'FuncDecl': {
        const name = String(cmd.Name?.Value ?? '');
        const body: Node = cmd.Body;
        functions.set(name, { start: idx(body.Pos().Offset()), end: idx(body.End().Offset()) });
        const inner: Ctx = { topLevel: false, functionName: name, subshell: false, conditional: false };
        const listId = nextListId++;
        visitStmt(body, inner, listId, 0);
        return;
      }
      case 'TimeClause':
      case 'CoprocClause':
        if (cmd.Stmt) visitStmt(cmd.Stmt, t === 'CoprocClause' ? sub : ctx, nextListId++, 0);
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
  return !c.context.subshell && c.context.functionName !== undefined && a.topLevelFunctions.has(c.context.functionName);
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
