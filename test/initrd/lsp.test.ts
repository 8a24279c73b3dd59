// The initrd requests through the real bundled language server (dist/server.js over stdio).
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, test } from 'node:test';
import { ProgressType } from 'vscode-jsonrpc/node';
import { LspClient } from '../lsp/client';
import { makeInitrd } from '../fixtures/makeInitrd';
import { skipUnless } from '../nixEnv';
import {
  InitrdCandidatesRequest,
  InitrdIdentifyRequest,
  InitrdCheckRequest,
  InitrdDiffRequest,
  InitrdInspectRequest,
  InitrdOpenRequest,
  InitrdReadDirectoryRequest,
  InitrdReadFileRequest,
  InitrdStatRequest,
} from '../../server/src/protocol';

let dir: string;
let client: LspClient;
before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nixboot-initrd-lsp-'));
  client = new LspClient();
  await client.conn.sendRequest('initialize', {
    processId: process.pid,
    rootUri: pathToFileURL(dir).href,
    workspaceFolders: [{ uri: pathToFileURL(dir).href, name: 'ws' }],
    capabilities: { window: { workDoneProgress: true } },
    initializationOptions: { cacheDir: path.join(dir, 'cache'), settings: {} },
  });
  await client.conn.sendNotification('initialized', {});
});
after(async () => {
  await client.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

test(
  'open with work-done progress, stat, readDirectory, readFile through symlinks, check, inspect, diff (real cpio, zstd; bundled server)',
  { skip: skipUnless('cpio', 'zstd') },
  async () => {
    const bin = Buffer.from(Array.from({ length: 5000 }, (_, i) => i & 0xff));
    const files = [
      { path: 'init', content: '#!/bin/sh\n', mode: 0o755 },
      { path: 'bin/sh', content: bin, mode: 0o755 },
      { path: 'etc/systemd/system/nvme-hw-key.service', content: '[Service]\nExecStart=/bin/sed-key\n' },
      { path: 'etc/link', type: 'symlink' as const, target: '../bin/sh' },
      { path: 'etc/dirlink', type: 'symlink' as const, target: '/etc/systemd' },
    ];
    const a = await makeInitrd({
      dir: path.join(dir, 'a'),
      segments: [
        { compression: 'none', files: [{ path: 'kernel/x86/microcode/AuthenticAMD.bin', content: 'ucode' }] },
        { compression: 'zstd', files },
      ],
    });
    const b = await makeInitrd({
      dir: path.join(dir, 'b'),
      segments: [
        {
          compression: 'zstd',
          files: files.map((f) =>
            f.path.endsWith('.service') ? { ...f, content: '[Service]\nExecStart=/bin/sh\n' } : f,
          ),
        },
      ],
    });

    const reports: unknown[] = [];
    const token = 'initrd-progress-1';
    const disp = client.conn.onProgress(new ProgressType<unknown>(), token, (v: unknown) => reports.push(v));
    const opened = (await client.conn.sendRequest(InitrdOpenRequest.method, {
      file: a,
      workDoneToken: token,
    })) as InitrdOpenRequest.Result;
    disp.dispose();
    assert.deepEqual(
      opened.segments.map((s) => s.compression),
      ['none', 'zstd'],
    );
    assert.ok(
      reports.some((r) => (r as { kind: string }).kind === 'begin'),
      JSON.stringify(reports),
    );
    assert.ok(reports.some((r) => (r as { kind: string }).kind === 'end'));

    const st = (await client.conn.sendRequest(InitrdStatRequest.method, {
      file: a,
      path: '/etc/link',
    })) as InitrdStatRequest.Result;
    assert.equal(st.type, 'symlink');
    assert.equal(st.resolvedType, 'file');
    assert.equal(st.size, 5000);
    assert.deepEqual(await client.conn.sendRequest(InitrdStatRequest.method, { file: a, path: '/nope' }), {
      exists: false,
    });

    const rd = (await client.conn.sendRequest(InitrdReadDirectoryRequest.method, {
      file: a,
      path: '/etc/dirlink/system',
    })) as InitrdReadDirectoryRequest.Result;
    assert.deepEqual(
      rd.entries.map((e) => e.name),
      ['nvme-hw-key.service'],
    );
    const root = (await client.conn.sendRequest(InitrdReadDirectoryRequest.method, {
      file: a,
      path: '/',
    })) as InitrdReadDirectoryRequest.Result;
    assert.deepEqual(root.entries.map((e) => e.name).sort(), ['bin', 'etc', 'init', 'kernel']);

    const rf = (await client.conn.sendRequest(InitrdReadFileRequest.method, {
      file: a,
      path: '/etc/link',
    })) as InitrdReadFileRequest.Result;
    assert.deepEqual(Buffer.from(rf.data!, 'base64'), bin);
    const part = (await client.conn.sendRequest(InitrdReadFileRequest.method, {
      file: a,
      path: '/bin/sh',
      start: 10,
      end: 20,
    })) as InitrdReadFileRequest.Result;
    assert.deepEqual(Buffer.from(part.data!, 'base64'), bin.subarray(10, 20));
    const isDir = (await client.conn.sendRequest(InitrdReadFileRequest.method, {
      file: a,
      path: '/etc',
    })) as InitrdReadFileRequest.Result;
    assert.match(isDir.error!, /directory/);

    const check = (await client.conn.sendRequest(InitrdCheckRequest.method, {
      file: a,
    })) as InitrdCheckRequest.Result;
    assert.deepEqual(
      check.problems.map((p) => [p.path, p.code, p.line]),
      [['/etc/systemd/system/nvme-hw-key.service', 'unit-exec-missing', 1]],
    );

    const ins = (await client.conn.sendRequest(InitrdInspectRequest.method, {
      file: a,
    })) as InitrdInspectRequest.Result;
    assert.equal(ins.total, 10 + 5000 + 5 + 33);
    assert.ok(ins.tree.some((t) => t.path === '/bin' && t.size === 5000));

    const diff = (await client.conn.sendRequest(InitrdDiffRequest.method, {
      a,
      b,
    })) as InitrdDiffRequest.Result;
    assert.deepEqual(
      diff.changes.map((c) => `${c.kind} ${c.path}`),
      ['changed /etc/systemd/system/nvme-hw-key.service', 'removed /kernel/x86/microcode/AuthenticAMD.bin'],
    );

    fs.writeFileSync(path.join(dir, 'garbage'), 'garbage garbage');
    await assert.rejects(
      client.conn.sendRequest(InitrdOpenRequest.method, { file: path.join(dir, 'garbage') }),
      /unrecognised data/,
    );
    await assert.rejects(
      client.conn.sendRequest(InitrdOpenRequest.method, { file: 'relative' }),
      /not an absolute path/,
    );
  },
);

test(
  'identify: initrds by their first bytes, named by the kernel inside once opened; candidates honour the system root (real cpio, zstd; bundled server)',
  { skip: skipUnless('cpio', 'zstd') },
  async () => {
    const img = await makeInitrd({
      dir: path.join(dir, 'ident'),
      segments: [
        {
          compression: 'zstd',
          files: [
            { path: 'init', content: '#!/bin/sh\n', mode: 0o755 },
            { path: 'lib/modules/6.12.59/kernel/x.ko', content: 'ko' },
          ],
        },
      ],
    });
    const nix = path.join(dir, 'configuration.nix');
    fs.writeFileSync(nix, '{ boot.initrd.enable = true; }\n');
    const before = (await client.conn.sendRequest(InitrdIdentifyRequest.method, {
      files: [img, nix, path.join(dir, 'missing'), dir],
    })) as InitrdIdentifyRequest.Result;
    assert.deepEqual(
      before.images.map((i) => i.kind),
      ['zstd', undefined, undefined, undefined],
    );
    assert.equal(
      before.images[0]!.title.startsWith(`initrd: ${path.basename(img)} · `),
      true,
      before.images[0]!.title,
    );
    await client.conn.sendRequest(InitrdOpenRequest.method, { file: img });
    const after = (await client.conn.sendRequest(InitrdIdentifyRequest.method, {
      files: [img],
    })) as InitrdIdentifyRequest.Result;
    assert.match(
      after.images[0]!.name,
      new RegExp(`^${path.basename(img).replace(/\./g, '\\.')} · Linux 6\\.12\\.59 · \\d{4}-\\d{2}-\\d{2}$`),
    );
    // A root without a system profile: no candidates, and a note that says why.
    const none = (await client.conn.sendRequest(InitrdCandidatesRequest.method, {
      root: path.join(dir, 'no-such-root'),
    })) as InitrdCandidatesRequest.Result;
    assert.deepEqual(none.images, []);
    assert.match(none.note ?? '', /no generations under .*no-such-root/);
    await assert.rejects(
      client.conn.sendRequest(InitrdIdentifyRequest.method, { files: 'x' }),
      /at most 5000 paths/,
    );
  },
);
