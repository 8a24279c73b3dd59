// Which log lines the "nixboot" channel shows (client/src/log.ts). No `vscode` import: unit-tested.

const RANK: Record<string, number> = { error: 0, warn: 1, info: 2, debug: 3 };

/** The level of a language client log line, or undefined for a continuation line. */
export function lineLevel(line: string): string | undefined {
  const m = /^\[(Error|Warn|Info|Debug|Trace)\s*-/.exec(line);
  if (!m) return undefined;
  return m[1] === 'Trace' ? 'debug' : m[1]!.toLowerCase();
}

/** Whether a line of `level` is shown at setting `setting`. */
export function shown(level: string, setting: string): boolean {
  return (RANK[level] ?? 2) <= (RANK[setting] ?? 2);
}
