// Beside nil/nixd (run by Nix IDE): with `auto` settings the server leaves option hovers, option
// name completion, the Outline and path definitions to them, keeps its own findings and their hovers, and answers again
// when told the other server is gone or when the user says `on` (lsp/coexistence.ts).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { LspClient } from './client';

const TEXT =
  '{\n  imports = [ ./hardware.nix ];\n  boot.loader.systemd-boot.configurationLimit = 1;\n  boot.loader.timeout = 3;\n}\n';
let dir: string;
let client: LspClient;
let uri: string;

const position = (needle: string, delta: number) => {
  const before = TEXT.slice(0, TEXT.indexOf(needle) + delta).split('\n');
  return { line: before.length - 1, character: before[before.length - 1]!.length };
};
const hover = (needle: string, delta: number) =>
  client.conn.sendRequest('textDocument/hover', {
    textDocument: { uri },
    position: position(needle, delta),
  }) as Promise<{ contents: { value: string } } | null>;
const symbols = () =>
  client.conn.sendRequest('textDocument/documentSymbol', { textDocument: { uri } }) as Promise<
    unknown[] | null
  >;
// Option names after `boot.loader.` (the line `boot.loader.timeout = 3;`, cursor after the dot).
const completion = () =>
  client.conn.sendRequest('textDocument/completion', {
    textDocument: { uri },
    position: position('boot.loader.timeout', 'boot.loader.'.length),
  }) as Promise<Array<{ label: string }> | null>;
const completes = async () => ((await completion()) ?? []).some((c) => c.label === 'systemd-boot');
const definition = () =>
  client.conn.sendRequest('textDocument/definition', {
    textDocument: { uri },
    position: position('./hardware.nix', 3),
  }) as Promise<unknown[] | null>;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'nixboot-lsp-peers-'));
  writeFileSync(join(dir, 'configuration.nix'), TEXT);
  writeFileSync(join(dir, 'hardware.nix'), '{ }\n');
  uri = pathToFileURL(join(dir, 'configuration.nix')).href;
  client = new LspClient();
  await client.initialize(
    dir,
    {},
    { peers: { nixExtensions: ['jnoortheen.nix-ide'], nixLanguageServer: 'nixd' } },
  );
  await client.open(uri, TEXT);
  await client.waitForDiagnostics(uri, (d) => d.some((x) => x.code === 'rollback-generation-limit'));
});

after(async () => {
  await client.close();
  rmSync(dir, { recursive: true, force: true });
});

test('auto beside nixd: no option hover, no option completion, no Outline, no path definition; findings and their hovers stay', async () => {
  assert.equal(await hover('timeout', 2), null, 'nixd shows option docs');
  assert.equal(await symbols(), null, 'nixd gives the Outline');
  assert.equal(await definition(), null, 'nixd follows path literals');
  assert.equal(await completes(), false, 'nixd completes option names');
  const finding = await hover('configurationLimit = 1', 21);
  assert.match(finding?.contents.value ?? '', /rollback-generation-limit|configurationLimit/);
});

test('`on` settings answer beside nixd', async () => {
  await client.conn.sendNotification('workspace/didChangeConfiguration', {
    settings: { nixboot: { hover: { options: 'on' }, completion: { options: 'on' }, navigation: 'on' } },
  });
  assert.equal(await completes(), true, 'completion `on` beside nixd');
  assert.match((await hover('timeout', 2))?.contents.value ?? '', /timeout/);
  assert.ok(((await symbols()) ?? []).length >= 3);
  assert.equal((await definition())?.length, 1);
});

test('auto again, and the other server gone: nixboot answers; `off` always silences', async () => {
  await client.conn.sendNotification('workspace/didChangeConfiguration', { settings: { nixboot: {} } });
  assert.equal(await hover('timeout', 2), null);
  assert.equal(await completes(), false);
  await client.conn.sendNotification('nixboot/didChangePeers', {
    nixExtensions: ['jnoortheen.nix-ide'],
    nixLanguageServer: null,
  });
  assert.match(
    (await hover('timeout', 2))?.contents.value ?? '',
    /timeout/,
    'Nix IDE without a language server gives no option docs',
  );
  assert.ok(((await symbols()) ?? []).length >= 3);
  assert.equal(await completes(), true, 'Nix IDE without a language server completes no option names');
  await client.conn.sendNotification('workspace/didChangeConfiguration', {
    settings: { nixboot: { hover: { options: 'off' }, completion: { options: 'off' }, navigation: 'off' } },
  });
  assert.equal(await hover('timeout', 2), null);
  assert.equal(await completes(), false);
  assert.equal(await symbols(), null);
});
