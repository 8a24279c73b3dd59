// A workspace with two hosts: each document's findings and stage-1 assumption come from its own host.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { LspClient } from './client';

let dir: string;
let client: LspClient;
const files: Record<string, string> = {
  'web.nix':
    '{ imports = [ ./web-hardware.nix ]; boot.initrd.systemd.enable = true; boot.initrd.network.enable = true; }\n',
  'web-hardware.nix': '{ boot.initrd.availableKernelModules = [ "nvme" "igb" ]; }\n',
  'db.nix':
    '{ imports = [ ./db-hardware.nix ]; boot.initrd.systemd.enable = false; boot.initrd.network.enable = true; }\n',
  'db-hardware.nix': '{ boot.initrd.availableKernelModules = [ "nvme" "ahci" ]; }\n',
};

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'nixboot-lsp-hosts-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  client = new LspClient();
  await client.initialize(dir, {});
});

after(async () => {
  await client.close();
  rmSync(dir, { recursive: true, force: true });
});

test("one host's NIC driver does not hide the other host's missing one", async () => {
  const db = pathToFileURL(join(dir, 'db.nix')).href;
  const web = pathToFileURL(join(dir, 'web.nix')).href;
  await client.open(db, files['db.nix']!);
  await client.open(web, files['web.nix']!);
  await client.waitForDiagnostics(db, (d) => d.some((x) => x.code === 'initrd-network-driver'));
  const w = await client.waitForDiagnostics(web, () => true);
  assert.ok(!w.some((x) => x.code === 'initrd-network-driver'), JSON.stringify(w));
});

test("the stage-1 status is the document's host's", async () => {
  type R = { systemd: boolean | null; source: string; reason: string };
  const ask = (name: string) =>
    client.conn.sendRequest('nixboot/stageOne', { uri: pathToFileURL(join(dir, name)).href }) as Promise<R>;
  const web = await ask('web.nix');
  const db = await ask('db.nix');
  assert.equal(web.systemd, true);
  assert.equal(db.systemd, false);
  assert.equal(db.source, 'explicit');
  assert.match(db.reason, /db\.nix/);
});
