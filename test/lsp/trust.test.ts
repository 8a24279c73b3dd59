// Workspace trust in the language server (the bundled dist/server.js over stdio): untrusted, the
// server lints and refuses every request that reads beyond the open documents or runs programs
// (git, nix, initrd decompressors), and offers no code lenses that would; once the client grants
// trust, the same requests work without a restart.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { ResponseError } from 'vscode-jsonrpc/node';
import { LspClient } from './client';
import { makeInitrd } from '../fixtures/makeInitrd';
import { skipUnless } from '../nixEnv';
import {
  DidChangeTrustNotification,
  GenerationsDiffRequest,
  GenerationsFindRequest,
  GenerationsSwitchCommandsRequest,
  GenerationsListRequest,
  InitrdCheckRequest,
  InitrdDiffRequest,
  InitrdInspectRequest,
  InitrdOpenRequest,
  InitrdReadDirectoryRequest,
  InitrdReadFileRequest,
  InitrdStatRequest,
  LockCheckoutsRequest,
  LockFindRevRequest,
  LockInputsRequest,
  LockVerifyRequest,
  PingRequest,
  ProvenanceChainRequest,
  RESTRICTED_MODE_ERROR,
  StageOneRequest,
  StorePathsCompareRequest,
} from '../../server/src/protocol';

const NAR_HASH = 'sha256-47DEQpj8HBSUh+TzoF8XBtjw2w6AeTBq1uYg9TkZ3hM=';
const LOCK = JSON.stringify(
  {
    nodes: {
      nixpkgs: {
        locked: { type: 'path', path: '/nonexistent-nixboot-src', narHash: NAR_HASH, lastModified: 1 },
        original: { type: 'path', path: '/nonexistent-nixboot-src' },
      },
      root: { inputs: { nixpkgs: 'nixpkgs' } },
    },
    root: 'root',
    version: 7,
  },
  null,
  2,
);

let dir: string;
let cache: string;
let client: LspClient;
const refreshes: number[] = [];

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'nixboot-trust-'));
  cache = join(dir, 'cache');
  mkdirSync(cache);
  writeFileSync(
    join(dir, 'configuration.nix'),
    '{ nix.gc.options = "-d"; boot.loader.systemd-boot.configurationLimit = 1; }\n',
  );
  writeFileSync(join(dir, 'flake.lock'), LOCK);
  client = new LspClient();
  client.conn.onRequest('workspace/codeLens/refresh', () => void refreshes.push(Date.now()));
  await client.initialize(dir, { nixosRelease: '25.11' }, { trusted: false, cacheDir: cache });
});

after(async () => {
  await client.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Every request that needs trust, with params that would make it work (or fail for its own reasons). */
function restrictedRequests(image: string): Array<[string, unknown]> {
  const lockFile = join(dir, 'flake.lock');
  return [
    [InitrdOpenRequest.method, { file: image }],
    [InitrdStatRequest.method, { file: image, path: '/init' }],
    [InitrdReadDirectoryRequest.method, { file: image, path: '/' }],
    [InitrdReadFileRequest.method, { file: image, path: '/init' }],
    [InitrdInspectRequest.method, { file: image }],
    [InitrdCheckRequest.method, { file: image }],
    [InitrdDiffRequest.method, { a: image, b: image }],
    [LockVerifyRequest.method, { lockFile, input: 'nixpkgs', dir }],
    [LockInputsRequest.method, { lockFile }],
    [LockFindRevRequest.method, { lockFile, input: 'nixpkgs', repo: dir }],
    [LockCheckoutsRequest.method, { lockFile, input: 'nixpkgs' }],
    [ProvenanceChainRequest.method, { path: join(dir, 'configuration.nix') }],
    [StorePathsCompareRequest.method, { a: dir, b: dir }],
    [GenerationsListRequest.method, { root: dir }],
    [GenerationsDiffRequest.method, { root: dir, a: '1', b: '2' }],
    [GenerationsFindRequest.method, { root: dir, pattern: 'x' }],
    [GenerationsSwitchCommandsRequest.method, { root: dir, action: 'rollback' }],
  ];
}

async function refusal(method: string, params: unknown): Promise<ResponseError<unknown> | undefined> {
  try {
    await client.conn.sendRequest(method, params);
    return undefined;
  } catch (e) {
    return e as ResponseError<unknown>;
  }
}

test(
  'untrusted: lint and stage 1 work; every program-running request is refused; no code lenses; nothing decompressed (real cpio, gzip)',
  { skip: skipUnless('cpio', 'gzip') },
  async () => {
    const image = await makeInitrd({
      dir: join(dir, 'img'),
      segments: [{ compression: 'gzip', files: [{ path: 'init', content: '#!/bin/sh\n', mode: 0o755 }] }],
    });
    assert.deepEqual(await client.conn.sendRequest(PingRequest.method, {}), { trusted: false });

    const uri = pathToFileURL(join(dir, 'configuration.nix')).href;
    await client.open(uri, '{ nix.gc.options = "-d"; boot.loader.systemd-boot.configurationLimit = 1; }\n');
    const diags = await client.waitForDiagnostics(uri, (d) =>
      d.some((x) => x.code === 'gc-deletes-all-generations'),
    );
    assert.ok(diags.some((d) => d.code === 'rollback-generation-limit'));
    const stage = (await client.conn.sendRequest(StageOneRequest.method, { uri })) as StageOneRequest.Result;
    // the flake.lock beside the file pins nixpkgs (dated by its lastModified): read as data, no program runs
    assert.equal(stage.source, 'flake.lock');

    for (const [method, params] of restrictedRequests(image)) {
      const e = await refusal(method, params);
      assert.ok(e, `${method} was answered in Restricted Mode`);
      assert.equal(e.code, RESTRICTED_MODE_ERROR, `${method}: ${e.message}`);
      assert.match(e.message, /^Restricted Mode: this workspace is not trusted, so nixboot only lints\./);
      assert.ok(e.message.includes(method));
    }
    assert.deepEqual(readdirSync(cache), [], 'no initrd was decompressed into the cache');

    const lockUri = pathToFileURL(join(dir, 'flake.lock')).href;
    await client.open(lockUri, LOCK);
    assert.deepEqual(
      await client.conn.sendRequest('textDocument/codeLens', { textDocument: { uri: lockUri } }),
      [],
    );
  },
);

test(
  'trust granted: the same requests run and the flake.lock lenses appear, without a restart (real cpio, gzip)',
  { skip: skipUnless('cpio', 'gzip') },
  async () => {
    const image = await makeInitrd({
      dir: join(dir, 'img2'),
      segments: [{ compression: 'gzip', files: [{ path: 'init', content: '#!/bin/sh\n', mode: 0o755 }] }],
    });
    await client.conn.sendNotification(DidChangeTrustNotification.method, { trusted: true });
    assert.deepEqual(await client.conn.sendRequest(PingRequest.method, {}), { trusted: true });
    assert.ok(refreshes.length > 0, 'the server asked for a code lens refresh');

    const opened = (await client.conn.sendRequest(InitrdOpenRequest.method, {
      file: image,
    })) as InitrdOpenRequest.Result;
    assert.deepEqual(
      opened.segments.map((s) => s.compression),
      ['gzip'],
    );
    assert.notDeepEqual(readdirSync(cache), []);
    // Every other request is at least handled by its feature now: answered, or refused for its own reason.
    for (const [method, params] of restrictedRequests(image)) {
      const e = await refusal(method, params);
      assert.notEqual(e?.code, RESTRICTED_MODE_ERROR, `${method} still refused: ${e?.message}`);
    }
    const lockUri = pathToFileURL(join(dir, 'flake.lock')).href;
    const lenses = (await client.conn.sendRequest('textDocument/codeLens', {
      textDocument: { uri: lockUri },
    })) as Array<{ command: { title: string; command: string } }>;
    // The lock/verify above ran, so the lens reports its result.
    assert.ok(
      lenses.some(
        (l) =>
          l.command.command === 'nixboot.lock.verify' && /narHash (verified|mismatch)/.test(l.command.title),
      ),
      JSON.stringify(lenses),
    );
  },
);
