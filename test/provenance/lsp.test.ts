// Provenance through the real language server (dist/server.js): lock verify, code lenses on
// flake.lock, find-rev, chain and compare.
import assert from 'node:assert/strict';
import {
  LockInputsRequest,
  ProvenanceChainRequest,
  StorePathsCompareRequest,
  type LockVerifyRequest,
} from '../../server/src/protocol';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, test } from 'node:test';
import { formatHash } from '../../server/src/nar/encoding';
import { hashPath } from '../../server/src/nar/nar';
import { listCommits } from '../../server/src/system/git';
import { locateLinks, nodeKeyOffsets } from '../../server/src/lsp/provenance';
import type { ChainResult } from '../../server/src/system/provenance';
import { lineStarts, positionAt } from '../../server/src/text';
import { LspClient } from '../lsp/client';
import { nixEnv, skipUnless } from '../nixEnv';
import { exportCommit, lockFor, makeRepo } from './gitRepo';
import { makeSignedMachO } from './macho';

const tmp = mkdtempSync(join(tmpdir(), 'nixboot-provlsp-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

test('nodeKeyOffsets finds node keys only', () => {
  const text = lockFor({
    a: { inputs: { b: 'b' }, locked: { type: 'git', narHash: 'x' } },
    b: { locked: { type: 'path' } },
  });
  const o = nodeKeyOffsets(text);
  assert.deepEqual([...o.keys()], ['root', 'a', 'b']);
  assert.equal(text.slice(o.get('a')!, o.get('a')! + 3), '"a"');
});

test('locateLinks: the traced file and the .drv open at their start, the lock input at its node; directories and absent files have no location', () => {
  const lockFile = join(tmp, 'locate.lock');
  const lockText = lockFor({
    dep: { locked: { type: 'path', path: '/x', narHash: 'sha256-AAAA' }, original: {} },
  });
  writeFileSync(lockFile, lockText);
  const file = join(tmp, 'traced-file');
  writeFileSync(file, 'x');
  const drv = join(tmp, 'x.drv');
  writeFileSync(drv, 'Derive()');
  const link = (kind: ChainResult['links'][number]['kind'], value: string, input?: string) => ({
    kind,
    title: kind,
    value,
    details: [],
    proof: '',
    ok: true,
    ...(input ? { input } : {}),
  });
  const links = locateLinks(
    {
      subject: file,
      notes: [],
      links: [
        link('file', file),
        link('storePath', tmp),
        link('deriver', drv),
        link('derivation', 'name'),
        link('source', join(tmp, 'absent')),
        link('lockInput', 'dep', 'dep'),
        link('commit', 'abc', 'dep'),
      ],
    },
    lockFile,
  );
  const at = lockText.indexOf('"dep": {');
  assert.deepEqual(
    links.map((l) => l.location),
    [
      { file, line: 0, character: 0 },
      undefined,
      { file: drv, line: 0, character: 0 },
      { file: drv, line: 0, character: 0 },
      undefined,
      { file: lockFile, ...positionAt(lineStarts(lockText), at) },
      undefined,
    ],
  );
  assert.equal(links[5]!.input, 'dep');
});

test(
  'LSP: verify, code lenses, find-rev, compare (real git)',
  { skip: skipUnless('git', 'tar') },
  async () => {
    const repo = makeRepo(join(tmp, 'repo'), 10);
    const commits = await listCommits(repo, 100);
    const target = commits.find((c) => c.subject === 'commit 4')!;
    const narHash = formatHash((await hashPath(exportCommit(repo, target.oid, join(tmp, 'x')))).hash, 'sri');
    const lockFile = join(tmp, 'flake.lock');
    const text = lockFor({
      good: {
        locked: { type: 'git', url: `file://${repo}`, rev: target.oid, lastModified: target.time, narHash },
        original: { type: 'git' },
      },
      far: { locked: { type: 'github', owner: 'o', repo: 'r', narHash }, original: {} },
    });
    writeFileSync(lockFile, text);
    const c = new LspClient(nixEnv());
    try {
      await c.initialize(tmp);
      const uri = pathToFileURL(lockFile).href;
      await c.conn.sendNotification('textDocument/didOpen', {
        textDocument: { uri, languageId: 'json', version: 1, text },
      });
      type Lens = { command: { title: string; arguments: unknown[] } };
      const lenses1 = (await c.conn.sendRequest('textDocument/codeLens', {
        textDocument: { uri },
      })) as Lens[];
      assert.deepEqual(
        lenses1.map((l) => l.command.title),
        ['verify narHash of good', 'find commit', 'verify narHash of far', 'find commit'],
      );
      const v = (await c.conn.sendRequest('nixboot/lock/verify', {
        lockFile,
        input: 'good',
      })) as LockVerifyRequest.Result;
      assert.equal(v.match, true);
      assert.match(v.markdown, /narHash verified/);
      // Structured fields for the lock report: the node key, where it starts, whether find-rev applies.
      assert.equal(v.key, 'good');
      assert.equal(v.gitLike, true);
      const at = text.indexOf('"good": {');
      assert.deepEqual(v.location, {
        file: lockFile,
        line: text.slice(0, at).split('\n').length - 1,
        character: at - text.lastIndexOf('\n', at) - 1,
      });
      const lenses2 = (await c.conn.sendRequest('textDocument/codeLens', {
        textDocument: { uri },
      })) as Lens[];
      assert.match(lenses2[0]!.command.title, /narHash verified against git /);
      await assert.rejects(
        c.conn.sendRequest('nixboot/lock/verify', { lockFile, input: 'far' }),
        /needsCheckout/,
      );
      const f = (await c.conn.sendRequest('nixboot/lock/findRev', { lockFile, input: 'far', repo })) as {
        matches: { oid: string }[];
      };
      assert.deepEqual(
        f.matches.map((m) => m.oid),
        [target.oid],
      );
      // The pick of "Find Commit Matching narHash": the lock's own repository, inside the workspace, first.
      const co = (await c.conn.sendRequest('nixboot/lock/checkouts', { lockFile, input: 'good' })) as {
        candidates: { path: string; match: string; strong: boolean; checked: boolean }[];
      };
      assert.deepEqual(co.candidates[0], {
        path: repo,
        match: 'locked',
        strong: true,
        checked: true,
        reasons: ['the flake.lock names it (locked.url)'],
      });
      const inputs = await c.request(LockInputsRequest, { lockFile });
      assert.deepEqual(inputs.inputs.map((i) => i.name).sort(), ['far', 'good']);
      // Whether find-rev applies is the engine's answer (the client's input picker filters on it).
      assert.deepEqual(inputs.inputs.map((i) => [i.type, i.gitLike]).sort(), [
        ['git', true],
        ['github', true],
      ]);
      const a = join(tmp, 'm1');
      const b = join(tmp, 'm2');
      const bin = makeSignedMachO({ pages: 2 });
      writeFileSync(a, bin);
      bin[4097] ^= 1;
      writeFileSync(b, bin);
      const cmp = (await c.conn.sendRequest('nixboot/storePaths/compare', { a, b })) as {
        identical: boolean;
        report: string;
      };
      assert.equal(cmp.identical, false);
      assert.match(cmp.report, /slot 1 @0x1000/);
      await assert.rejects(
        c.conn.sendRequest('nixboot/provenance/chain', { path: '/etc/hostname' }),
        /not in the Nix store/,
      );
      // A path inside an image (initrd: URI): the host's file at that path is not traced.
      await assert.rejects(
        c.request(ProvenanceChainRequest, { path: '/etc/hostname', virtual: true }),
        /path \/etc\/hostname is inside an image and names no \/nix\/store path/,
      );
      await assert.rejects(
        c.request(StorePathsCompareRequest, { a, b: '/init', virtual: ['b'] }),
        /b \/init is inside an image and names no \/nix\/store path/,
      );
      await assert.rejects(
        c.conn.sendRequest('nixboot/lock/verify', { lockFile: 'relative', input: 'good' }),
        /absolute path/,
      );
    } finally {
      await c.close();
    }
  },
);
