// The image name in an `initrd:` URI's query (uri.ts), pure so it is unit-tested in Node. VS Code
// labels the URI `${path}${query.label}` (package.json resourceLabelFormatters): a tab shows the
// label's last path segment, so the name must hold no path separator.

/** Separator between the path and the image name in labels. */
const SEP = ' — ';

/**
 * The query naming the image: JSON (VS Code reads `${query.KEY}` only from a JSON query) whose
 * `label` is the separator and the name, with "/" replaced (everything before it would vanish
 * from a tab title; VS Code also turns "\\" into "/" in labels on Linux) and control characters
 * blanked, at most 200 characters.
 */
export function labelQuery(title: string): string {
  const safe = title
    .replace(/[/\\]/g, '∕')
    .replace(/[\u0000-\u001f\u007f]/g, ' ')
    .slice(0, 200);
  return JSON.stringify({ label: `${SEP}${safe}` });
}
