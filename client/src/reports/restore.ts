// Reports across a window reload, the pure half (no vscode; panel.ts registers the serializers):
// what a report's page keeps in its webview state, and the page shown when a report cannot be
// rendered from it. See docs/reports.md.
import { esc, type Action, type Rendered, type ReportKind } from './html';
import * as kinds from './kinds';

/** Largest report data (JSON characters) kept in a webview's state for a reload: a 2,000-package closure diff is ≈ 0.26 MB. */
export const RESTORE_LIMIT = 2 ** 20;

/** The webview state's `restore` record: the data itself, or what a too-large report was (size < 0: nothing was kept). */
export type Restore =
  | { readonly v: 1; readonly kind: string; readonly data: unknown }
  | {
      readonly v: 1;
      readonly kind: string;
      readonly title: string;
      readonly size: number;
      readonly args?: (string | number)[];
    };

/** Every report kind, by id (serializers are registered for each). */
export const KINDS: readonly ReportKind<never>[] = Object.values(kinds).filter(
  (k): k is ReportKind<never> =>
    !!k &&
    typeof k === 'object' &&
    typeof (k as { id?: unknown }).id === 'string' &&
    typeof (k as { render?: unknown }).render === 'function',
);

/** What to keep for `data` of `kind`: the data when it is small enough, else its title, size and re-run arguments. */
export function restoreRecord<D>(
  kind: ReportKind<D>,
  data: D,
  rendered: Rendered,
  limit = RESTORE_LIMIT,
): Restore {
  let size: number;
  try {
    const json = JSON.stringify(data);
    size = json?.length ?? 0;
    if (json !== undefined && size <= limit)
      return { v: 1, kind: kind.id, data: JSON.parse(json) as unknown };
  } catch {
    size = Number.POSITIVE_INFINITY;
  }
  return {
    v: 1,
    kind: kind.id,
    title: rendered.title,
    size,
    ...(kind.rerun ? { args: kind.rerun.args(data) } : {}),
  };
}

/** The page shown for a report that could not be kept across a reload (too large, or no saved state). */
export function unavailable(
  kind: ReportKind<never>,
  why: string,
  title: string,
  args?: (string | number)[],
): Rendered {
  const actions: Action[] =
    kind.rerun && args ? [{ kind: 'command', command: kind.rerun.command, args }] : [];
  const body = `<p class="verdict warn"><b>${esc(why)}</b></p>
${actions.length ? '<p><button type="button" class="primary" data-action="0">Reload this report</button> <span class="muted">runs the request again</span></p>' : '<p class="muted">Run the command that made it again to see it.</p>'}`;
  return {
    title,
    key: `unavailable:${kind.id}`,
    body,
    actions,
    markdown: `# ${title}\n\n${why}\n`,
    json: { title, unavailable: why },
    fileName: 'report',
  };
}

export function isArgs(a: unknown): a is (string | number)[] {
  return (
    Array.isArray(a) &&
    a.length <= 8 &&
    a.every(
      (x) => (typeof x === 'string' && x.length <= 4096) || (typeof x === 'number' && Number.isFinite(x)),
    )
  );
}
