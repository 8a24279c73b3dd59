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

/** Applies non-overlapping edits (offsets into `text`); overlapping ones after the first are dropped. */
export function applyEdits(
  text: string,
  edits: ReadonlyArray<{ start: number; end: number; newText: string }>,
): string {
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

/**
 * Text taken from files, archives or repositories (names, link targets, configuration values,
 * commit subjects) made safe to print on a terminal: control characters (C0, DEL, C1 such as CSI
 * U+009B), line and paragraph separators and bidirectional overrides are escaped (`\n`, `\r`,
 * `\t`, `\x1b`, `\u009b` …), and bytes that are not valid UTF-8 become `\xNN`. A crafted name can
 * then neither move the cursor, rewrite a line, nor forge another line of output. Every text
 * output of the CLI and the language server's markdown goes through this one function.
 */
export function printable(s: string | Uint8Array): string {
  const text = typeof s === 'string' ? s : decodeBytes(s);
  // Fast path: nothing to escape.
  if (!UNSAFE.test(text)) return text;
  return text.replace(UNSAFE_G, (c) => {
    if (c.charCodeAt(0) >= 0xdc80 && c.charCodeAt(0) <= 0xdcff && c.length === 1)
      return `\\x${(c.charCodeAt(0) - 0xdc00).toString(16).padStart(2, '0')}`;
    const cp = c.codePointAt(0)!;
    if (cp === 10) return '\\n';
    if (cp === 13) return '\\r';
    if (cp === 9) return '\\t';
    if (cp < 0x80) return `\\x${cp.toString(16).padStart(2, '0')}`;
    return `\\u${cp.toString(16).padStart(4, '0')}`;
  });
}

// What `terminalSafe` escapes: UNSAFE without tab and newline.
const TERMINAL_G =
  /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]/g;

/**
 * The last line of defence where the CLI writes text (and JSON) to stdout/stderr: every control
 * character but tab and newline is escaped (`\r`, `\x1b`, `\u009b` — the `\uXXXX` form keeps JSON
 * valid and meaning the same). Values are escaped with `printable` where they are formatted, so
 * that a newline inside a name cannot forge a line either; this catches whatever was missed.
 */
export function terminalSafe(text: string): string {
  TERMINAL_G.lastIndex = 0;
  if (!TERMINAL_G.test(text)) return text;
  return text.replace(TERMINAL_G, (c) => {
    const cp = c.charCodeAt(0);
    if (cp === 13) return '\\r';
    if (cp < 0x20) return `\\x${cp.toString(16).padStart(2, '0')}`;
    return `\\u${cp.toString(16).padStart(4, '0')}`;
  });
}

// C0 controls, DEL, C1 controls, U+2028/2029, bidi embeddings/overrides/isolates, lone surrogates
// (which also carry invalid bytes from decodeBytes as U+DC80–U+DCFF) and U+FFFD is left alone.
const UNSAFE_SRC =
  '[\\u0000-\\u001f\\u007f-\\u009f\\u2028\\u2029\\u202a-\\u202e\\u2066-\\u2069\\u200e\\u200f\\u061c]|[\\ud800-\\udbff](?![\\udc00-\\udfff])|(?<![\\ud800-\\udbff])[\\udc00-\\udfff]';
const UNSAFE = new RegExp(UNSAFE_SRC);
const UNSAFE_G = new RegExp(UNSAFE_SRC, 'g');

/**
 * Decodes UTF-8, mapping each byte of an invalid sequence to a lone low surrogate U+DC80+byte
 * (as Python's surrogateescape does), so that `printable` can show it as `\xNN`.
 */
function decodeBytes(b: Uint8Array): string {
  let out = '';
  let i = 0;
  while (i < b.length) {
    const c = b[i]!;
    if (c < 0x80) {
      out += String.fromCharCode(c);
      i++;
      continue;
    }
    const n = c >= 0xc2 && c <= 0xdf ? 1 : c >= 0xe0 && c <= 0xef ? 2 : c >= 0xf0 && c <= 0xf4 ? 3 : -1;
    let cp = n === 1 ? c & 0x1f : n === 2 ? c & 0x0f : c & 0x07;
    let ok = n > 0 && i + n < b.length;
    for (let k = 1; ok && k <= n; k++) {
      const d = b[i + k];
      if (d === undefined || (d & 0xc0) !== 0x80) ok = false;
      else cp = (cp << 6) | (d & 0x3f);
    }
    // Overlong forms, surrogates and code points past U+10FFFF are invalid.
    if (
      ok &&
      ((n === 2 && cp < 0x800) ||
        (n === 3 && (cp < 0x10000 || cp > 0x10ffff)) ||
        (cp >= 0xd800 && cp <= 0xdfff))
    )
      ok = false;
    if (!ok) {
      out += String.fromCharCode(0xdc00 + c);
      i++;
      continue;
    }
    out += String.fromCodePoint(cp);
    i += n + 1;
  }
  return out;
}

/** What kind of data a file starts with, for error messages that must not quote its contents. */
export function describeData(head: Uint8Array): string {
  if (head.length === 0) return 'no data';
  if (head[0] === 0x7f && head[1] === 0x45 && head[2] === 0x4c && head[3] === 0x46)
    return 'looks like an ELF file';
  if (head[0] === 0x23 && head[1] === 0x21) return 'looks like a script (#!)';
  if (head[0] === 0x50 && head[1] === 0x4b && head[2] === 3 && head[3] === 4)
    return 'looks like a zip archive';
  let text = 0;
  for (const c of head) if (c === 9 || c === 10 || c === 13 || (c >= 0x20 && c < 0x7f) || c >= 0x80) text++;
  const utf8 = !/[\udc80-\udcff]/.test(decodeBytes(head.subarray(0, Math.max(0, head.length - 3))));
  if (text === head.length && utf8) return 'looks like text';
  return 'binary data of an unknown kind';
}

/**
 * Beyond this many generations "room for N more" says nothing a user plans with, and N only
 * jitters with every write to the file system /boot is on (a /boot on the root file system, or
 * tiny test images, give millions): it is shown as "room for 100+ more". A /boot that holds this
 * many generations of the current size is ample: the boot-partition-budget rule says nothing.
 */
export const ROOM_FOR_CAP = 100;

/** Bytes in binary units: "512 B", "40.0 MiB". */
export function fmtBytes(n: number): string {
  const u = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  let v = n;
  while (Math.abs(v) >= 1024 && i < u.length - 1) {
    v /= 1024;
    i++;
  }
  return `${i === 0 ? v : v.toFixed(1)} ${u[i]}`;
}
