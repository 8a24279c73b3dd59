// Workspace folders added after start are scanned like the first ones; removed ones are forgotten.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { LspClient } from './client';

let dir: string;
let client: LspClient;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'nixboot-folders-'));
  for (const name of ['first', 'first/inner', 'second']) mkdirSync(join(dir, name));
  writeFileSync(join(dir, 'first', 'inner', 'gc.nix'), '{ nix.gc.options = "-d"; }\n');
  writeFileSync(join(dir, 'first', 'gc.nix'), '{ nix.gc.options = "-d"; }\n');
  writeFileSync(join(dir, 'second', 'gc.nix'), '{ nix.gc.options = "--delete-old"; }\n');
  client = new LspClient();
  await client.initialize(join(dir, 'first'));
});

after(async () => {
  await client.close();
  rmSync(dir, { recursive: true, force: true });
});

test('a folder added to the workspace gets the background pass; a removed one loses its findings', async () => {
  const first = pathToFileURL(join(dir, 'first', 'gc.nix')).href;
  const second = pathToFileURL(join(dir, 'second', 'gc.nix')).href;
  // The first folder's pass ran: the server got `initialized` (features do not replace its handler).
  await client.waitForDiagnostics(first, (d) => d.some((x) => x.code === 'gc-deletes-all-generations'));
  await client.conn.sendNotification('workspace/didChangeWorkspaceFolders', {
    event: { added: [{ uri: pathToFileURL(join(dir, 'second')).href, name: 'second' }], removed: [] },
  });
  await client.waitForDiagnostics(second, (d) => d.some((x) => x.code === 'gc-deletes-all-generations'));
  await client.conn.sendNotification('workspace/didChangeWorkspaceFolders', {
    event: { added: [], removed: [{ uri: pathToFileURL(join(dir, 'second')).href, name: 'second' }] },
  });
  const gone = await client.waitForDiagnostics(second, (d) => d.length === 0);
  assert.deepEqual(gone, []);
});

test('removing a folder nested in another one keeps its files: the outer folder still holds them', async () => {
  const inner = pathToFileURL(join(dir, 'first', 'inner')).href;
  const file = pathToFileURL(join(dir, 'first', 'inner', 'gc.nix')).href;
  await client.waitForDiagnostics(file, (d) => d.length > 0);
  await client.conn.sendNotification('workspace/didChangeWorkspaceFolders', {
    event: { added: [{ uri: inner, name: 'inner' }], removed: [] },
  });
  await client.conn.sendNotification('workspace/didChangeWorkspaceFolders', {
    event: { added: [], removed: [{ uri: inner, name: 'inner' }] },
  });
  // A later publication for another file shows the server handled both changes.
  const probe = join(dir, 'first', 'probe.nix');
  writeFileSync(probe, '{ nix.gc.options = "-d"; }\n');
  await client.conn.sendNotification('workspace/didChangeWatchedFiles', {
    changes: [{ uri: pathToFileURL(probe).href, type: 1 }],
  });
  await client.waitForDiagnostics(pathToFileURL(probe).href, (d) => d.length > 0);
  assert.ok(client.diagnosticsOf(file).length > 0, "the nested folder's file keeps its findings");
});
