// The pure half of the reports (client/src/reports/html.ts and kinds/): every kind rendered into
// a page through one `check` helper that asserts the page's safety properties, then what each
// kind shows and which actions it offers.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  esc,
  escLines,
  page,
  scriptJson,
  visible,
  type Rendered,
  type ReportKind,
} from '../../client/src/reports/html';
import type { VTable } from '../../client/src/reports/vtable';
import {
  closureDiff,
  findGenerations,
  initrdInspect,
  lockFindRev,
  lockVerify,
  provenance,
  rehearsal,
  storeCompare,
  type RehearsalData,
} from '../../client/src/reports/kinds';
import { closureDiffData, findRevData, HOSTILE, initrdData, lockVerifyData, provenanceData } from './data';

const NONCE = 'bm9uY2Utbm9uY2Utbm9uY2U=';

/** Renders `data` with `kind` into a page and checks what every report page must hold. */
function check<D>(kind: ReportKind<D>, data: D): { r: Rendered; html: string } {
  const r = kind.render(data);
  const html = page(r, { nonce: NONCE });
  // Strict CSP: nothing loads but this page's nonce'd style and scripts.
  assert.match(
    html,
    /<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'nonce-[^']+'; script-src 'nonce-[^']+';/,
  );
  for (const tag of html.match(/<(script|style)\b[^>]*>/g) ?? [])
    assert.ok(tag.includes(`nonce="${NONCE}"`), `${tag} has the nonce`);
  assert.doesNotMatch(html, /\son[a-z]+\s*=/i, 'no inline event handlers');
  assert.doesNotMatch(html, /(src|href)\s*=|url\(|https?:\/\//i, 'no remote or linked resources');
  assert.doesNotMatch(html, /\sstyle\s*=/, 'no style attributes (the CSP would block them)');
  // Hostile names are shown as text: no raw tag, control character or bidi override survives.
  assert.ok(!html.includes('<script>alert'), 'no injected script tag');
  assert.ok(
    !/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e]/.test(html),
    'no raw control characters',
  );
  // Every action attribute names an action of the report.
  const bound = [...html.matchAll(/data-action="(\d+)"/g)].map((m) => Number(m[1]));
  const vrows =
    (r.data as { vtable?: VTable } | undefined)?.vtable?.groups.flatMap((g) =>
      g.rows.map((x) => x.action!),
    ) ?? [];
  for (const i of [...bound, ...vrows])
    assert.ok(Number.isInteger(i) && i < r.actions.length, `action ${i} exists`);
  assert.equal(bound.length + vrows.length, r.actions.length, 'each action is bound once');
  assert.ok(r.markdown.length > 0 && r.fileName.length > 0 && r.json !== undefined);
  assert.match(html, /data-export="markdown"[\s\S]*data-export="json"/, 'both exports offered');
  return { r, html };
}

test('esc() escapes markup and shows control characters, bidi overrides and line breaks', () => {
  assert.equal(esc('<a href="x">&\'</a>'), '&#60;a href=&#34;x&#34;&#62;&#38;&#39;&#60;/a&#62;');
  assert.equal(visible('a\u001b[31m\u202eb\nc\u009b'), 'a\\x1b[31m\\u202eb\\nc\\x9b');
  assert.equal(visible('plain'), 'plain');
  assert.equal(
    visible('plain\u0007'),
    'plain\\x07',
    'repeated calls do not skip a match (global regex state)',
  );
  assert.equal(escLines('a<\nb\u001b'), 'a&#60;\nb\\x1b');
});

test('scriptJson() cannot close its <script> element', () => {
  const s = scriptJson({ x: '</script><script>alert(1)</script>\u2028' });
  assert.ok(!s.includes('</script'));
  assert.deepEqual(JSON.parse(s), { x: '</script><script>alert(1)</script>\u2028' });
});

test('page() refuses a missing or short nonce', () => {
  const r = closureDiff.render(closureDiffData(3));
  assert.throws(() => page(r, { nonce: '' }), /nonce/);
  assert.throws(() => page(r, { nonce: 'abc"def' }), /nonce/);
});

test('closure diff: "gen 2 → gen 3", groups changed/added/removed, largest change first, Enter finds generations', () => {
  const d = closureDiffData(30, [
    { pname: HOSTILE, kind: 'added', after: [HOSTILE], sizeAfter: 10 ** 9, sizeDelta: 10 ** 9 },
  ]);
  const { r, html } = check(closureDiff, d);
  assert.equal(r.title, 'Closure diff: gen 2 → gen 3');
  assert.equal(r.fileName, 'closure-diff-gen-2-to-gen-3');
  const t = (r.data as { vtable: VTable }).vtable;
  assert.deepEqual(
    t.groups.map((g) => `${g.label} ${g.rows.length}`),
    ['Changed 10', 'Added 11', 'Removed 10'],
  );
  // Rows in a group: |sizeDelta| descending.
  const deltas = t.groups[1]!.rows.map((x) => Math.abs(Number(x.sort.delta)));
  assert.deepEqual(
    deltas,
    [...deltas].sort((a, b) => b - a),
  );
  const hostile = t.groups[1]!.rows[0]!;
  assert.ok(
    hostile.cells[0]!.startsWith(
      'evil&#60;script&#62;alert(1)&#60;/script&#62;&#34;&#39;&#38;\\x1b[31m\\u202e',
    ),
    'the hostile name is escaped in its cell',
  );
  assert.match(
    html,
    /<th scope="col" class="num" data-col="3" aria-sort="none"><button type="button">Change<\/button><\/th>/,
  );
  assert.match(html, /aria-rowcount="35"/, '31 rows, 3 group rows and the head');
  const firstChanged = d.changes
    .filter((c) => c.kind === 'changed')
    .sort((a, b) => Math.abs(b.sizeDelta) - Math.abs(a.sizeDelta))[0]!;
  assert.deepEqual(r.actions[t.groups[0]!.rows[0]!.action!], {
    kind: 'command',
    command: 'nixboot.generations.find',
    args: [firstChanged.pname],
  });
  assert.equal((r.json as { markdown?: string }).markdown, undefined, 'JSON export leaves the Markdown out');
  assert.equal(r.markdown, d.markdown, 'Markdown export is the server report');
});

test('closure diff without changes says so', () => {
  const { html } = check(closureDiff, closureDiffData(0));
  assert.match(html, /No package changes/);
  assert.ok(!html.includes('<table'));
});

test('provenance: one hop per link; located hops open their file, the commit verifies the input, others copy', () => {
  const d = provenanceData();
  const { r, html } = check(provenance, d);
  assert.equal(html.match(/<li class="hop /g)?.length, d.links.length);
  const hops = [...html.matchAll(/class="link hoptitle" data-action="(\d+)"/g)].map(
    (m) => r.actions[Number(m[1])],
  );
  assert.deepEqual(hops, [
    { kind: 'open', file: '/nix/store/aaaa-x/bin/sed-key', line: 0, character: 0 },
    { kind: 'copy', text: '/nix/store/aaaa-sed-key-0.1.0' },
    { kind: 'open', file: '/nix/store/bbbb-sed-key-0.1.0.drv', line: 0, character: 0 },
    { kind: 'copy', text: '/nix/store/cccc-source' },
    { kind: 'open', file: '/work/flake.lock', line: 12, character: 4 },
    { kind: 'command', command: 'nixboot.lock.verify', args: ['/work/flake.lock', 'sed-key'] },
  ]);
  assert.match(html, /<li class="hop unproven">[\s\S]*?⚠ not proven/, 'an unproven link is marked');
  assert.equal(r.title, `Provenance: ${d.subject.split('/').pop()}`);
});

test('lock verify: verdict, facts and next steps; a mismatch says so', () => {
  const ok = check(lockVerify, { lockFile: '/work/flake.lock', result: lockVerifyData(true) });
  assert.match(ok.html, /✓ narHash verified/);
  assert.deepEqual(
    ok.r.actions.filter((a) => a.kind === 'command').map((a) => (a.kind === 'command' ? a.command : '')),
    ['nixboot.lock.verify', 'nixboot.lock.findRev', 'nixboot.provenance.show'],
  );
  assert.deepEqual(ok.r.actions[0], { kind: 'open', file: '/work/flake.lock', line: 3, character: 4 });
  assert.match(
    ok.html,
    /<pre>nix hash path \/work\/checkout\n# line two<\/pre>/,
    'the proof keeps its lines',
  );
  const bad = check(lockVerify, { lockFile: '/work/flake.lock', result: lockVerifyData(false) });
  assert.match(bad.html, /✗ narHash mismatch/);
  assert.match(bad.r.title, /mismatch/);
});

test('find-rev: each matching commit verifies the input against that commit; none found offers the next steps', () => {
  const { r, html } = check(lockFindRev, {
    lockFile: '/l/flake.lock',
    input: 'nixpkgs',
    repo: '/src/nixpkgs',
    result: findRevData(2),
  });
  const rows = [...html.matchAll(/<tr class="row" data-action="(\d+)"/g)].map((m) => r.actions[Number(m[1])]);
  assert.deepEqual(rows[0], {
    kind: 'command',
    command: 'nixboot.lock.verify',
    args: ['/l/flake.lock', 'nixpkgs', { gitRepo: '/src/nixpkgs', rev: 'a'.repeat(39) + '0' }],
  });
  assert.equal(rows.length, 2);
  const none = check(lockFindRev, {
    lockFile: '/l/flake.lock',
    input: 'nixpkgs',
    repo: '/src/nixpkgs',
    result: findRevData(0),
  });
  assert.match(none.html, /No commit with the locked narHash/);
  assert.ok(
    none.r.actions.some((a) => a.kind === 'command' && a.command === 'workbench.action.openSettings'),
  );
});

test('find generations: newest generation first, paths show provenance, groups diff with the previous generation', () => {
  const { r, html } = check(findGenerations, {
    pattern: HOSTILE,
    result: {
      results: [
        { generation: 2, matches: ['/nix/store/a-sed-4.9'] },
        { generation: 3, matches: ['/nix/store/b-sed-4.9', `/nix/store/c-${HOSTILE}`] },
      ],
    },
  });
  assert.ok(html.indexOf('data-group="gen-3"') < html.indexOf('data-group="gen-2"'));
  assert.ok(
    r.actions.some(
      (a) => a.kind === 'command' && a.command === 'nixboot.generations.diffPrevious' && a.args?.[0] === 3,
    ),
  );
  assert.ok(
    r.actions.some(
      (a) =>
        a.kind === 'command' &&
        a.command === 'nixboot.provenance.show' &&
        a.args?.[0] === '/nix/store/a-sed-4.9',
    ),
  );
  // Markdown export: the pattern and paths are inline code that cannot be ended early.
  assert.ok(!r.markdown.includes('`*_'), 'backticks in names are neutralised');
  assert.ok(!/[\u001b\u202e]/.test(r.markdown));
  const none = check(findGenerations, { pattern: 'zzz', result: { results: [] } });
  assert.match(none.html, /No generation/);
});

test('initrd inspector: segments, tables, treemap data, largest files open from the image, Markdown table cells escaped', () => {
  const d = initrdData();
  const { r, html } = check(initrdInspect, d);
  assert.match(html, /<div id="map" role="group" aria-label="Size map">/);
  assert.deepEqual((r.data as { tree: unknown[] }).tree, d.tree);
  assert.ok(
    r.actions.some((a) => a.kind === 'openInitrd' && a.image === d.file && a.path === d.largest[0]!.path),
  );
  assert.ok(
    r.actions.some(
      (a) => a.kind === 'command' && a.command === 'nixboot.initrd.open' && a.args?.[0] === d.file,
    ),
  );
  const lines = r.markdown.split('\n');
  const row = lines.find((l) => l.includes('evil'))!;
  assert.ok(
    !row
      .slice(1, -1)
      .replace(/\\\|/g, '')
      .includes('|' + '`'),
    'a | in a name does not split the table cell',
  );
  assert.equal(lines.filter((l) => l.startsWith('| 900 B |')).length, 1);
});

test('store path compare keeps the report lines', () => {
  const { html } = check(storeCompare, {
    a: '/a',
    b: '/b',
    result: { identical: false, changed: 2, report: 'x <changed>\ny', markdown: '# Compare\n' },
  });
  assert.match(html, /<pre>x &#60;changed&#62;\ny<\/pre>/);
  assert.match(html, /2 entries differ/);
});

test('a 2,000-package closure diff renders in well under a second (the browser side: bench/reports.ts)', () => {
  const d = closureDiffData(2000);
  const t0 = performance.now();
  const html = page(closureDiff.render(d), { nonce: NONCE });
  const ms = performance.now() - t0;
  assert.equal(html.match(/"action":/g)?.length, 2000);
  // A bound against a pathological render, not a speed figure (24 ms in CI; bench/reports.ts
  // measures it): a loaded 2-core runner must not fail it.
  assert.ok(ms < 1000, `render took ${ms.toFixed(0)} ms`);
  assert.ok(html.length < 2_000_000, `page is ${html.length} bytes`);
});

/** A rehearsal result in the shape nixboot/rehearse/start returns, with a hostile unit name. */
function rehearsalData(unit: string): RehearsalData {
  return {
    what: 'generation 3',
    result: {
      verdict: 'emergency',
      ok: false,
      summary: `systemd stage 1 went to emergency mode; failed unit ${unit}`,
      timeMs: 14_200,
      events: [
        { t: 12_300, kind: 'unit-failed', text: `[FAILED] Failed to start ${unit}.`, unit },
        { t: 900, kind: 'kernel', text: 'Linux version 6.1.0-57-cloud-amd64' },
        { t: 4_100, kind: 'init', text: 'Run /init as init process' },
        { t: 6_000, kind: 'network', text: 'eth0: link becomes ready' },
        { t: 7_500, kind: 'ssh', text: 'SSH-2.0-OpenSSH_9.6' },
        { t: 14_200, kind: 'emergency', text: 'You are in emergency mode.' },
      ],
      causes: [
        {
          option: `boot.initrd.systemd.services.${unit}`,
          file: '/ws/configuration.nix',
          line: 7,
          column: 3,
          initLine: 42,
          text: `script = "${unit}";`,
        },
      ],
      initrd: '/nix/store/aaaa-initrd-linux/initrd',
      consoleTail: `[FAILED] Failed to start ${unit}.\nYou are in emergency mode.`,
      accel: { accel: 'tcg', reason: 'no /dev/kvm' },
      notes: [],
      markdown: '# Rehearsal\n',
    },
  };
}

test('rehearsal: verdict, timeline in time order with labels, the cause opens the .nix line and /init at its line', () => {
  const d = rehearsalData(HOSTILE);
  const { r, html } = check(rehearsal, d);
  assert.equal(r.title, 'Rehearsal of generation 3: emergency');
  assert.equal(r.fileName, 'rehearsal-generation-3');
  assert.match(html, /✗ emergency/);
  const labels = [...html.matchAll(/<span class="t mono">([\d.]+ s)<\/span> <b>([^<]*)<\/b>/g)].map(
    (m) => `${m[1]} ${m[2]}`,
  );
  assert.deepEqual(labels.slice(0, 4), [
    '0.9 s kernel started',
    '4.1 s /init started',
    '6.0 s network up',
    '7.5 s SSH listening',
  ]);
  assert.ok(labels[4]!.startsWith('12.3 s unit failed: evil&#60;script&#62;'), labels[4]);
  assert.equal(labels[5], '14.2 s emergency mode');
  assert.ok(
    html.includes('boot.initrd.systemd.services.evil&#60;script&#62;alert(1)&#60;/script&#62;'),
    'the unit name is escaped in the cause',
  );
  assert.deepEqual(r.actions, [
    { kind: 'open', file: '/ws/configuration.nix', line: 6, character: 2 },
    { kind: 'openInitrd', image: '/nix/store/aaaa-initrd-linux/initrd', path: '/init', line: 41 },
  ]);
  assert.match(html, /Open configuration\.nix:7<\/button>[\s\S]*Open \/init at line 42<\/button>/);
  assert.match(html, /<pre class="console"[^>]*>\[FAILED\] Failed to start evil&#60;script&#62;/);
  assert.equal(r.markdown, d.result.markdown);
  assert.equal((r.json as { markdown?: string; what: string }).markdown, undefined);
  assert.equal((r.json as { what: string }).what, 'generation 3');
});

test('rehearsal: healthy without causes says so; no /init button without an image or an /init line', () => {
  const d = rehearsalData('unlock');
  const healthy: RehearsalData = {
    what: 'the last build',
    result: { ...d.result, verdict: 'healthy', ok: true, causes: [], events: d.result.events.slice(1, 3) },
  };
  const { r, html } = check(rehearsal, healthy);
  assert.equal(r.title, 'Rehearsal of the last build: healthy');
  assert.match(html, /✓ Stage 1 is healthy/);
  assert.match(html, /Nothing failed\./);
  assert.equal(r.actions.length, 0);
  const noImage: RehearsalData = { what: 'generation 1', result: { ...d.result, initrd: undefined } };
  assert.deepEqual(
    check(rehearsal, noImage).r.actions.map((a) => a.kind),
    ['open'],
  );
});
