// The image name in `initrd:` URIs (client/src/initrd/label.ts) as VS Code shows it: the
// package.json label formatter `${path}${query.label}`, whose last path segment is a tab's title.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { test } from 'node:test';
import { labelQuery } from '../../client/src/initrd/label';

const pkg = JSON.parse(
  readFileSync(join(new URL('../..', import.meta.url).pathname, 'package.json'), 'utf8'),
);
const formatter = (
  pkg.contributes.resourceLabelFormatters as { scheme: string; formatting: { label: string } }[]
).find((f) => f.scheme === 'initrd');

/** VS Code's formatUri for `${path}` and `${query.KEY}` (a JSON query), then the tab title (posix basename). */
function label(path: string, query: string): string {
  return formatter!.formatting.label.replace(
    /\$\{(path|query\.(\w+))\}/g,
    (_m, what: string, key?: string) =>
      what === 'path' ? path : String((JSON.parse(query) as Record<string, unknown>)[key!] ?? ''),
  );
}

test('package.json labels initrd: URIs by path and the image name in the query', () => {
  assert.equal(formatter?.formatting.label, '${path}${query.label}');
});

test('a tab and a Problems group say which initrd the file is in', () => {
  const q = labelQuery('initrd: gen 3 · Linux 6.12.59 · 2026-11-22');
  assert.equal(posix.basename(label('/init', q)), 'init — initrd: gen 3 · Linux 6.12.59 · 2026-11-22');
  // Problems: the group's description is the labelled folder.
  assert.equal(
    label('/etc/systemd/system', q),
    '/etc/systemd/system — initrd: gen 3 · Linux 6.12.59 · 2026-11-22',
  );
  // Two images, two different labels for the same path.
  assert.notEqual(
    label('/init', labelQuery('initrd: gen 2 · Linux 6.12.58 · 2026-11-20')),
    label('/init', q),
  );
});

test('a name with path separators or control characters still ends the tab title; bounded', () => {
  const q = labelQuery('initrd: a/b\\c\n\u001b[31m · 2026-11-22');
  const tab = posix.basename(label('/init', q));
  assert.equal(tab, 'init — initrd: a∕b∕c  [31m · 2026-11-22');
  assert.ok(JSON.parse(labelQuery('x'.repeat(10_000))).label.length <= 203);
});
