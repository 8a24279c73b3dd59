// Boot-option help through the real language server (dist/server.js, built by `npm run build`).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { LspClient } from '../lsp/client';

const TEXT = `{ ... }:
{
  boot.initrd.network.postCommands = "echo hi";
  boot.intird.network.enable = true;
  boot.initrd.
}
`;

let dir: string;
let client: LspClient;
let uri: string;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'nixboot-options-lsp-'));
  writeFileSync(join(dir, 'configuration.nix'), TEXT);
  uri = pathToFileURL(join(dir, 'configuration.nix')).href;
  client = new LspClient();
  const init = (await client.initialize(dir, { nixosRelease: '25.11' })) as {
    capabilities: { completionProvider?: { triggerCharacters?: string[] }; hoverProvider?: boolean };
  };
  assert.deepEqual(init.capabilities.completionProvider?.triggerCharacters, ['.']);
  assert.equal(init.capabilities.hoverProvider, true);
  await client.open(uri, TEXT);
});

after(async () => {
  await client.close();
  rmSync(dir, { recursive: true, force: true });
});

test('hover on a boot option shows its type, default and description', async () => {
  const hover = (await client.conn.sendRequest('textDocument/hover', {
    textDocument: { uri },
    position: { line: 2, character: 26 },
  })) as { contents: { value: string } } | null;
  assert.ok(hover, 'a hover');
  assert.match(hover.contents.value, /\*\*boot\.initrd\.network\.postCommands\*\*/);
  assert.match(hover.contents.value, /strings concatenated with/);
  assert.match(hover.contents.value, /Shell commands to be executed after stage 1/);
});

test('completion after boot.initrd. lists its options', async () => {
  const items = (await client.conn.sendRequest('textDocument/completion', {
    textDocument: { uri },
    position: { line: 4, character: 14 },
  })) as Array<{ label: string; detail?: string }>;
  const labels = items.map((i) => i.label);
  for (const l of ['network', 'luks', 'systemd', 'postDeviceCommands', 'availableKernelModules'])
    assert.ok(labels.includes(l), `${l} offered: ${labels.join(', ')}`);
  assert.equal(
    items.find((i) => i.label === 'postDeviceCommands')?.detail,
    'strings concatenated with "\\n"',
  );
});

test('a misspelled boot option is flagged with a suggestion', async () => {
  const diags = await client.waitForDiagnostics(uri, (d) => d.some((x) => x.code === 'unknown-boot-option'));
  const d = diags.find((x) => x.code === 'unknown-boot-option')!;
  assert.deepEqual(d.range.start, { line: 3, character: 7 });
  assert.match(d.message, /did you mean `boot\.initrd`/);
});
