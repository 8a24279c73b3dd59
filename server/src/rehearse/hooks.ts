// When each stage-1 hook ran, from the serial console alone. NixOS's scripted /init (nixpkgs
// nixos/modules/system/boot/stage-1-init.sh) prints nothing at hook edges, and the rehearsal boots
// the exact initrd (no instrumented /init). What can be observed: the lines /init itself prints
// (`echo "running udev..."`, `echo "loading module …"`, `echo -n "waiting for device … to
// appear..."`, the `cat <<EOF` of fail(), the network and SSH messages of initrd-network.nix …),
// the lines a hook's own commands print, and the shell's `/init: line N: X: not found`.
//
// Each console line is mapped to the /init line that can print it (its echo/printf/heredoc text,
// expansions standing for any text); /init runs top to bottom, so a hook at /init lines a..b
// started after the last line printed from before line a and had ended before the first line
// printed from after line b. Lines printed inside a function (fail()) say nothing about where
// the top-level script is and are left out of that ordering.
import { analyzeShell, type ShellAnalysis, type ShellCommand } from '../shell/analyze';

/** A console line with its arrival time (ms since QEMU started), control sequences removed. */
export interface TimedLine {
  readonly t: number;
  readonly text: string;
  /** The unfinished last line (what `echo -n` leaves). */
  readonly partial?: boolean;
}

/** A hook's place in /init (1-based lines) and in the configuration. */
export interface HookPlacement {
  readonly option: string;
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly initFirst: number;
  readonly initLast: number;
}

/** A console line tied to the /init line that printed it. */
export interface InitMark {
  readonly t: number;
  readonly initLine: number;
  readonly text: string;
}

export type HookState =
  /** Its own output was seen, or a line printed after it was. */
  | 'ran'
  /** A line before it printed, nothing after it: it started, and stage 1 stopped in it or after it. */
  | 'started'
  /** An unconditional /init line before it never printed: stage 1 stopped earlier. */
  | 'not-reached'
  /** Inside a function of /init (fail(), LUKS open functions): runs when that function is called. */
  | 'in-function'
  /** Nothing printed around it. */
  | 'unknown';

export interface HookTiming extends HookPlacement {
  readonly state: HookState;
  /** The last /init line printed before the hook (it started after this). */
  readonly after?: InitMark;
  /** The first /init line printed after the hook (it had ended before this). */
  readonly before?: InitMark;
  /** Lines the hook printed itself. */
  readonly printed?: { readonly first: InitMark; readonly last: InitMark; readonly count: number };
  /** For `not-reached`: the /init line that should have printed first. */
  readonly missed?: { readonly initLine: number; readonly text: string };
  /** Where it sits in time, for sorting a timeline (ms). */
  readonly at: number;
  /** In words: "between 1.8 s and 2.1 s", "ran by 2.1 s", "printed at 1.9 s", "not reached". */
  readonly when: string;
}

interface Printer {
  /** 1-based /init line of the text. */
  readonly line: number;
  readonly re: RegExp;
  /** A line /init prints whenever it gets there: top level, not in a condition, not indented, not hook text. */
  readonly unconditional: boolean;
  readonly inFunction: boolean;
  /** The source text (for messages). */
  readonly source: string;
}

const WILD = '\u0000';

/**
 * What a shell word prints, with every expansion as WILD. Handles '…', "…" (with its escapes),
 * $name, ${…}, $(…), $((…)) and `…`; globs are left as text (stage-1 scripts quote their words).
 */
export function wordText(raw: string): string {
  let out = '';
  let i = 0;
  const skipExpansion = (): void => {
    // At `$`: consume one expansion.
    const c = raw[i + 1];
    if (c === '{' || c === '(') {
      const open = c;
      const close = c === '{' ? '}' : ')';
      let depth = 0;
      let j = i + 1;
      for (; j < raw.length; j++) {
        if (raw[j] === '\\') {
          j++;
          continue;
        }
        if (raw[j] === open) depth++;
        else if (raw[j] === close && --depth === 0) break;
      }
      i = j + 1;
    } else if (c !== undefined && /[A-Za-z_]/.test(c)) {
      let j = i + 1;
      while (j < raw.length && /\w/.test(raw[j]!)) j++;
      i = j;
    } else if (c !== undefined && /[0-9@*#?$!-]/.test(c)) i += 2;
    else {
      out += '$';
      i++;
      return;
    }
    out += WILD;
  };
  while (i < raw.length) {
    const c = raw[i]!;
    if (c === "'") {
      const j = raw.indexOf("'", i + 1);
      out += raw.slice(i + 1, j < 0 ? raw.length : j);
      i = j < 0 ? raw.length : j + 1;
    } else if (c === '"') {
      i++;
      while (i < raw.length && raw[i] !== '"') {
        if (raw[i] === '\\' && i + 1 < raw.length && '$`"\\\n'.includes(raw[i + 1]!)) {
          if (raw[i + 1] !== '\n') out += raw[i + 1];
          i += 2;
        } else if (raw[i] === '$') skipExpansion();
        else if (raw[i] === '`') {
          const j = raw.indexOf('`', i + 1);
          i = j < 0 ? raw.length : j + 1;
          out += WILD;
        } else out += raw[i++];
      }
      i++;
    } else if (c === '\\') {
      if (raw[i + 1] !== '\n') out += raw[i + 1] ?? '';
      i += 2;
    } else if (c === '$') skipExpansion();
    else if (c === '`') {
      const j = raw.indexOf('`', i + 1);
      i = j < 0 ? raw.length : j + 1;
      out += WILD;
    } else out += raw[i++];
  }
  return out;
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A matcher for one printed line: WILD is any text; a line left open (`echo -n`) matches as a prefix. */
function lineRe(text: string, open: boolean): RegExp | undefined {
  const t = text.replace(/\s+$/, '');
  // Too little fixed text to tell this line from others (`echo "$msg"`, `echo`).
  if (t.replace(new RegExp(`${WILD}|\\s`, 'g'), '').length < 4) return undefined;
  const src = t
    .split(WILD)
    .map((p) => escapeRe(p).replace(/\s+/g, '\\s+'))
    .join('.*');
  return new RegExp(`^\\s*${src}${open ? '' : '\\s*$'}`);
}

/** Whether a command's standard output goes somewhere other than the console. */
function redirectedAway(c: ShellCommand): boolean {
  for (const r of c.redirects) {
    const m = /^(\d*)(>>?|>\||&>>?)$/.exec(r.op);
    if (!m || (m[1] !== '' && m[1] !== '1')) continue;
    const target = r.target?.value;
    if (target === undefined || !/^\/dev\/(console|stdout|stderr|tty\w*|kmsg)$/.test(target)) return true;
  }
  return false;
}

function lineOfIndex(starts: readonly number[], index: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid]! <= index) lo = mid;
    else hi = mid - 1;
  }
  return lo + 1;
}

/** The lines /init prints itself, each with the matcher for its console text. */
export function initPrinters(
  init: string,
  hookLines: (line: number) => boolean = () => false,
  analysis?: ShellAnalysis,
): Printer[] {
  const a = analysis ?? analyzeShell(init);
  if (a.error) return [];
  const lines = init.split('\n');
  const starts: number[] = [];
  let off = 0;
  for (const l of lines) {
    starts.push(off);
    off += l.length + 1;
  }
  const out: Printer[] = [];
  for (const c of a.commands) {
    const name = c.name?.value;
    if (!name || c.context.subshell) continue;
    const line = lineOfIndex(starts, c.stmtStart);
    const inFunction = c.context.functionName !== undefined;
    const indented = /^\s/.test(lines[line - 1] ?? '');
    const unconditional =
      c.context.topLevel && !c.context.conditional && !inFunction && !indented && !hookLines(line);
    const add = (text: string, open: boolean, at = line) => {
      const re = lineRe(text, open);
      if (re) out.push({ line: at, re, unconditional, inFunction, source: (lines[at - 1] ?? '').trim() });
    };
    if ((name === 'echo' || name === 'info') && !redirectedAway(c)) {
      const args = c.args.slice(1).map((w) => w.raw);
      let open = false;
      while (name === 'echo' && args.length && /^-[neE]+$/.test(args[0]!))
        open ||= args.shift()!.includes('n');
      const parts = args.map(wordText).join(' ').split('\n');
      parts.forEach((p, k) => add(p, open && k === parts.length - 1));
    } else if (name === 'printf' && !redirectedAway(c) && c.args.length > 1) {
      const fmt = wordText(c.args[1]!.raw)
        .replace(/%%/g, '%')
        .replace(/%[-+ #0]*\d*(?:\.\d+)?[a-zA-Z]/g, WILD)
        .replace(/\\n/g, '\n');
      const parts = fmt.split('\n');
      parts.forEach((p, k) => add(p, k === parts.length - 1));
    } else if (name === 'cat' && c.args.length === 1 && !redirectedAway(c)) {
      // `cat <<EOF` … `EOF`: the body lines are printed as they are (expansions unless the delimiter is quoted).
      const hd = c.redirects.find((r) => r.op === '<<' || r.op === '<<-');
      const delim = hd?.target?.raw;
      if (!hd || !delim) continue;
      const quoted = /['"\\]/.test(delim);
      const word = delim.replace(/['"\\]/g, '');
      for (let k = line; k < lines.length; k++) {
        const body = hd.op === '<<-' ? lines[k]!.replace(/^\t+/, '') : lines[k]!;
        if (body === word) break;
        // Unquoted: expanded as inside "…", where a `"` is plain text (kept aside as \u0001).
        add(
          quoted ? body : wordText(`"${body.replace(/"/g, '\u0001')}"`).replace(/\u0001/g, '"'),
          false,
          k + 1,
        );
      }
    }
  }
  return out;
}

/** The console lines tied to the /init lines that printed them, in time order (lines printed inside functions left out). */
function markInitLines(
  lines: readonly TimedLine[],
  printers: readonly Printer[],
  functionLines: (line: number) => boolean,
): InitMark[] {
  const marks: InitMark[] = [];
  let pos = 0;
  for (const l of lines) {
    const text = l.text;
    const nf = /^\/init: line (\d+): /.exec(text);
    if (nf) {
      const n = Number(nf[1]);
      if (!functionLines(n)) {
        marks.push({ t: l.t, initLine: n, text });
        pos = Math.max(pos, n);
      }
      continue;
    }
    let forward: Printer | undefined;
    let back: Printer | undefined;
    let inFunction = false;
    for (const p of printers) {
      if (!p.re.test(text)) continue;
      if (p.inFunction) {
        inFunction = true;
        continue;
      }
      if (p.line >= pos) {
        if (!forward || p.line < forward.line) forward = p;
      } else if (!back || p.line > back.line) back = p;
    }
    // A text only a function prints (fail()'s menu) is the function's, wherever the script is.
    const pick = forward ?? (inFunction ? undefined : back);
    if (!pick) continue;
    if (pick.line >= pos) pos = pick.line;
    marks.push({ t: l.t, initLine: pick.line, text: text.trim() });
  }
  return marks;
}

const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** Each hook's time window, from the console lines /init and its commands printed (no kernel time stamp) and /init's text. */
export function hookTimings(
  init: string,
  hooks: readonly HookPlacement[],
  lines: readonly TimedLine[],
  end?: { t: number; what: string },
): HookTiming[] {
  if (!hooks.length) return [];
  const a = analyzeShell(init);
  if (a.error) return [];
  const starts: number[] = [];
  let off = 0;
  for (const l of init.split('\n')) {
    starts.push(off);
    off += l.length + 1;
  }
  const fnRanges = [...a.functions].map(
    ([name, f]) => [lineOfIndex(starts, f.start), lineOfIndex(starts, f.end), name] as const,
  );
  const functionAt = (n: number) =>
    fnRanges.filter(([s, e]) => n >= s && n <= e).sort((x, y) => y[0] - x[0])[0]?.[2];
  const inFunction = (n: number) => functionAt(n) !== undefined;
  const inHook = (n: number) => hooks.some((h) => n >= h.initFirst && n <= h.initLast);
  const printers = initPrinters(init, inHook, a);
  const marks = markInitLines(lines, printers, inFunction);
  const out: HookTiming[] = [];
  for (const h of hooks) {
    const fn = functionAt(h.initFirst);
    if (fn !== undefined) {
      out.push({
        ...h,
        state: 'in-function',
        at: end?.t ?? Number.MAX_SAFE_INTEGER,
        when: `runs inside the function ${fn}() of /init, when it is called`,
      });
      continue;
    }
    let after: InitMark | undefined;
    for (const m of marks) {
      if (m.initLine >= h.initFirst) break;
      after = m;
    }
    const inside = marks.filter((m) => m.initLine >= h.initFirst && m.initLine <= h.initLast);
    const before = marks.find((m) => m.initLine > h.initLast && (!after || m.t >= after.t));
    const printed = inside.length
      ? { first: inside[0]!, last: inside[inside.length - 1]!, count: inside.length }
      : undefined;
    const range =
      after && before
        ? secs(after.t) === secs(before.t)
          ? `at ${secs(before.t)}`
          : `between ${secs(after.t)} and ${secs(before.t)}`
        : before
          ? `ran by ${secs(before.t)}`
          : after
            ? `started after ${secs(after.t)}`
            : '';
    if (printed || before) {
      const own = printed
        ? `printed at ${secs(printed.first.t)}${printed.last.t !== printed.first.t ? `–${secs(printed.last.t)}` : ''}`
        : '';
      const when = [range, own].filter(Boolean).join(', ');
      out.push({
        ...h,
        state: 'ran',
        after,
        before,
        printed,
        at: printed?.first.t ?? after?.t ?? before!.t,
        when,
      });
      continue;
    }
    if (after) {
      // Nothing after the hook printed. An unconditional /init line between the last printed line
      // and the hook that never printed means stage 1 stopped before the hook.
      const missed = printers.find((p) => p.unconditional && p.line > after.initLine && p.line < h.initFirst);
      if (missed) {
        out.push({
          ...h,
          state: 'not-reached',
          after,
          missed: { initLine: missed.line, text: missed.source },
          at: end?.t ?? after.t,
          when: `not reached: /init line ${missed.line} (${missed.source}) never printed${end ? `; stage 1 stopped at ${secs(end.t)} (${end.what})` : ''}`,
        });
      } else {
        out.push({
          ...h,
          state: 'started',
          after,
          at: after.t,
          when: `started after ${secs(after.t)}; nothing after it printed${end ? ` (stage 1 stopped at ${secs(end.t)}: ${end.what})` : ''}`,
        });
      }
      continue;
    }
    out.push({ ...h, state: 'unknown', at: end?.t ?? 0, when: 'no /init line around it printed' });
  }
  return out;
}
