// The stdio language server with FIFOs in the workspace and hostile initrds: it keeps answering.
// (Issue 13, item 11: four requests or watched-file events on a FIFO exhausted Node's file-I/O
// pool and every later file read hung; item 3: without a cacheDir the server cached in a shared
// /tmp path; item 8: a check of an ELF-heavy image left pings unanswered.)
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, test } from 'node:test';
import { LspClient } from '../lsp/client';
import { InitrdCheckRequest, InitrdOpenRequest, InitrdReadFileRequest } from '../../server/src/protocol';
import { gzip, makeElf, newcArchive } from './hostileElf';

let dir: string;
let client: LspClient;
let image: string;
before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nixboot-lsp-hostile-'));
  image = path.join(dir, 'initrd');
  fs.writeFileSync(image, gzip(newcArchive([{ path: 'init', data: '#!/bin/sh\necho ok\n', mode: 0o755 }])));
  // no cacheDir in the initialization options, as in Neovim or Helix: the XDG cache is used
  client = new LspClient({ ...process.env, XDG_CACHE_HOME: path.join(dir, 'xdg'), NIXBOOT_CACHE_DIR: '' });
  await client.conn.sendRequest('initialize', {
    processId: process.pid,
    rootUri: pathToFileURL(dir).href,
    workspaceFolders: [{ uri: pathToFileURL(dir).href, name: 'ws' }],
    capabilities: {},
    initializationOptions: { settings: {} },
  });
  await client.conn.sendNotification('initialized', {});
});
after(async () => {
  await client.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Sends `initrd/readFile` of /init and fails unless it answers within 1 s. */
async function answersWithinOneSecond(what: string): Promise<void> {
  const t0 = Date.now();
  const r = (await Promise.race([
    client.conn.sendRequest(InitrdReadFileRequest.method, { file: image, path: '/init' }),
    new Promise((_, reject) =>
      setTimeout(
        () => reject(new Error(`no answer within 1 s ${what}; server stderr: ${client.stderr.join('')}`)),
        1000,
      ),
    ),
  ])) as InitrdReadFileRequest.Result;
  assert.equal(Buffer.from(r.data!, 'base64').toString(), '#!/bin/sh\necho ok\n');
  assert.ok(Date.now() - t0 < 1000);
}

test('without a cacheDir the server caches under $XDG_CACHE_HOME/nixboot, 0700', async () => {
  await client.conn.sendRequest(InitrdOpenRequest.method, { file: image });
  const root = path.join(dir, 'xdg', 'nixboot');
  assert.equal(fs.statSync(root).mode & 0o777, 0o700);
  assert.equal(fs.readdirSync(path.join(root, 'initrd')).length, 1);
});

test('watched-file events and requests on FIFOs: a normal request still answers within 1 s', async () => {
  await client.conn.sendRequest(InitrdOpenRequest.method, { file: image });
  const fifos = Array.from({ length: 8 }, (_, i) => path.join(dir, `pipe${i}.nix`));
  for (const f of fifos) execFileSync('mkfifo', [f]);
  execFileSync('mkfifo', [path.join(dir, 'flake.lock')]);
  await client.conn.sendNotification('workspace/didChangeWatchedFiles', {
    changes: fifos.map((f) => ({ uri: pathToFileURL(f).href, type: 2 })),
  });
  for (const f of fifos.slice(0, 4)) {
    await assert.rejects(
      client.conn.sendRequest(InitrdOpenRequest.method, { file: f }),
      /not a regular file/,
    );
  }
  // a document next to the flake.lock FIFO: linting looks for the NixOS release in it
  const doc = pathToFileURL(path.join(dir, 'configuration.nix')).href;
  await client.open(doc, '{ boot.initrd.systemd.enable = true; }\n');
  await client.waitForDiagnostics(doc, () => true, 5000);
  await answersWithinOneSecond('after FIFO events');
});

test('checking an ELF-heavy image does not stop the server answering', async () => {
  const elf = makeElf({
    needed: Array.from({ length: 3000 }, (_, i) => `libabsent${i}.so`),
    runpath: Array.from({ length: 300 }, (_, i) => `/r/${i}`),
  });
  const heavy = path.join(dir, 'heavy');
  fs.writeFileSync(
    heavy,
    gzip(
      newcArchive([
        { path: 'init', data: '#!/bin/sh\n', mode: 0o755 },
        ...Array.from({ length: 100 }, (_, i) => ({ path: `bin/t${i}`, data: elf, mode: 0o755 })),
      ]),
    ),
  );
  await client.conn.sendRequest(InitrdOpenRequest.method, { file: heavy });
  const check = client.conn.sendRequest(InitrdCheckRequest.method, {
    file: heavy,
  }) as Promise<InitrdCheckRequest.Result>;
  await answersWithinOneSecond('during a check');
  const r = await check;
  assert.ok(r.problems.length <= 1001);
});
