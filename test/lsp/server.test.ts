import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { LspClient } from './client';

const SEED_001 = `{ ... }:
{
  boot.initrd.network.postCommands = ''
    echo "zfs load-key zroot; killall zfs" \\
      >> /root/.profile; exit
  '';
  boot.loader.systemd-boot.configurationLimit = 1;
}
`;

let dir: string;
let client: LspClient;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'nixboot-lsp-'));
  mkdirSync(join(dir, 'hosts'));
  writeFileSync(join(dir, 'hosts', 'gc.nix'), '{ nix.gc.options = "-d"; }\n');
  writeFileSync(join(dir, 'configuration.nix'), SEED_001);
  client = new LspClient();
  await client.initialize(dir, { nixosRelease: '25.11' });
});

after(async () => {
  await client.close();
  rmSync(dir, { recursive: true, force: true });
});

test('diagnostics on open, quick fix through code actions, diagnostics gone after the edit', async () => {
  const uri = pathToFileURL(join(dir, 'configuration.nix')).href;
  await client.open(uri, SEED_001);
  const diags = await client.waitForDiagnostics(uri, (d) => d.some((x) => x.code === 'initrd-script-exit'));
  const exit = diags.find((d) => d.code === 'initrd-script-exit')!;
  assert.equal(exit.severity, 1);
  assert.deepEqual(exit.range.start, { line: 4, character: 25 });
  assert.ok(diags.some((d) => d.code === 'rollback-generation-limit' && d.severity === 2));

  const actions = (await client.conn.sendRequest('textDocument/codeAction', {
    textDocument: { uri },
    range: exit.range,
    context: { diagnostics: [exit] },
  })) as Array<{
    title: string;
    isPreferred?: boolean;
    edit: { changes: Record<string, Array<{ range: typeof exit.range; newText: string }>> };
  }>;
  const fix = actions.find((a) => a.isPreferred)!;
  assert.match(fix.title, /Move `exit` into the text appended to \/root\/\.profile/);
  const lines = SEED_001.split('\n');
  const edits = [...fix.edit.changes[uri]!].sort(
    (a, b) => b.range.start.line - a.range.start.line || b.range.start.character - a.range.start.character,
  );
  for (const e of edits) {
    assert.equal(e.range.start.line, e.range.end.line);
    const l = lines[e.range.start.line]!;
    lines[e.range.start.line] =
      l.slice(0, e.range.start.character) + e.newText + l.slice(e.range.end.character);
  }
  const fixed = lines.join('\n');
  assert.match(fixed, /echo "zfs load-key zroot; killall zfs; exit" \\\n {6}>> \/root\/\.profile\n/);
  await client.change(uri, fixed, 2);
  const after = await client.waitForDiagnostics(uri, (d) => !d.some((x) => x.code === 'initrd-script-exit'));
  assert.ok(after.some((d) => d.code === 'rollback-generation-limit'));
});

test('code actions and hovers answer for the version asked about, before its diagnostics are published', async () => {
  const path = join(dir, 'hosts', 'late.nix');
  writeFileSync(path, '{ boot.loader.systemd-boot.configurationLimit = 10; }\n');
  const uri = pathToFileURL(path).href;
  await client.open(uri, '{ boot.loader.systemd-boot.configurationLimit = 10; }\n', 1);
  await client.waitForDiagnostics(uri, (d) => d.length === 0);
  // The edit's lint waits for its debounce: the light bulb asked at once must see the new text.
  await client.change(uri, SEED_001, 2);
  const exit = { start: { line: 4, character: 25 }, end: { line: 4, character: 29 } };
  const actions = (await client.conn.sendRequest('textDocument/codeAction', {
    textDocument: { uri },
    range: exit,
    context: { diagnostics: [] },
  })) as Array<{ title: string; isPreferred?: boolean }>;
  assert.ok(
    actions.some((a) => a.isPreferred && /Move `exit`/.test(a.title)),
    `the fix for version 2, got ${JSON.stringify(actions.map((a) => a.title))}`,
  );
  const hover = (await client.conn.sendRequest('textDocument/hover', {
    textDocument: { uri },
    position: { line: 4, character: 26 },
  })) as { contents: { value: string } } | null;
  assert.match(hover?.contents.value ?? '', /initrd-script-exit/);
  await client.waitForDiagnostics(uri, (d) => d.some((x) => x.code === 'initrd-script-exit'));
});

test('files that are not open get diagnostics from the background workspace pass', async () => {
  const uri = pathToFileURL(join(dir, 'hosts', 'gc.nix')).href;
  const diags = await client.waitForDiagnostics(uri, (d) => d.length > 0);
  assert.deepEqual(
    diags.map((d) => d.code),
    ['gc-deletes-all-generations'],
  );
});

test('hover on a finding explains the incident', async () => {
  const uri = pathToFileURL(join(dir, 'hosts', 'gc.nix')).href;
  await client.open(uri, '{ nix.gc.options = "-d"; }\n');
  await client.waitForDiagnostics(uri, (d) => d.length > 0);
  const hover = (await client.conn.sendRequest('textDocument/hover', {
    textDocument: { uri },
    position: { line: 0, character: 21 },
  })) as {
    contents: { value: string };
  };
  assert.match(hover.contents.value, /gc-deletes-all-generations/);
  assert.match(hover.contents.value, /wipe-history/);
  assert.match(
    hover.contents.value,
    /\*\*Judged for\*\* Host: /,
    'the hover names the host the finding was judged for',
  );
  // VS Code shows the diagnostic's message above the hover: the hover must not repeat it.
  const diags = await client.waitForDiagnostics(uri, (d) => d.length > 0);
  assert.ok(
    !hover.contents.value.includes(diags[0]!.message),
    'the hover does not repeat the finding message',
  );
});

test('settings turn a rule off and change severities', async () => {
  const uri = pathToFileURL(join(dir, 'configuration.nix')).href;
  await client.conn.sendNotification('workspace/didChangeConfiguration', {
    settings: {
      nixboot: {
        nixosRelease: '25.11',
        rules: { 'rollback-generation-limit': 'off', 'initrd-script-exit': 'warning' },
      },
    },
  });
  await client.waitForDiagnostics(uri, (d) => !d.some((x) => x.code === 'rollback-generation-limit'));
  await client.change(uri, SEED_001, 3);
  const diags = await client.waitForDiagnostics(uri, (d) => d.some((x) => x.code === 'initrd-script-exit'));
  assert.equal(diags.find((d) => d.code === 'initrd-script-exit')!.severity, 2);
});

test('typing above a finding moves its diagnostic with the text (incremental reparse in the server)', async () => {
  const uri = pathToFileURL(join(dir, 'typing.nix')).href;
  const v1 = '{\n  networking.hostName = "a";\n  nix.gc.options = "-d";\n}\n';
  const col = '  nix.gc.options = '.length;
  const at = (d: Array<{ code?: unknown; range: { start: { line: number; character: number } } }>) =>
    d.find((x) => x.code === 'gc-deletes-all-generations')?.range.start;
  await client.open(uri, v1);
  assert.deepEqual(at(await client.waitForDiagnostics(uri, (d) => at(d) !== undefined)), {
    line: 2,
    character: col,
  });
  // A word and a line typed into the string above: same binding, the rest of the tree shifts.
  const v2 = v1.replace('"a"', '"abc\ndef"');
  await client.change(uri, v2, 2);
  assert.deepEqual(at(await client.waitForDiagnostics(uri, (d) => at(d)?.line === 3)), {
    line: 3,
    character: col,
  });
  const v3 = v2.replace('"-d"', '"--delete-older-than 30d"');
  await client.change(uri, v3, 3);
  await client.waitForDiagnostics(uri, (d) => at(d) === undefined);
});

test('flake.lock open in the editor (for its code lenses) is JSON, not linted as Nix', async () => {
  const lock = pathToFileURL(join(dir, 'flake.lock')).href;
  const text = '{\n  "nodes": {\n    "root": {}\n  },\n  "root": "root",\n  "version": 7\n}\n';
  writeFileSync(join(dir, 'flake.lock'), text);
  await client.conn.sendNotification('textDocument/didOpen', {
    textDocument: { uri: lock, languageId: 'json', version: 1, text },
  });
  // A Nix document opened after it is linted; by then flake.lock would have had its diagnostics.
  const nix = pathToFileURL(join(dir, 'after-lock.nix')).href;
  await client.open(nix, '{ a = ; }\n');
  await client.waitForDiagnostics(nix, (d) => d.some((x) => x.code === 'syntax-error'));
  await assert.rejects(
    client.waitForDiagnostics(lock, () => true, 1500),
    /no matching diagnostics/,
  );
});
