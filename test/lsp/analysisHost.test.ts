// The analysis host (server/src/lsp/analysisHost.ts): one model per document version, shared by
// every feature; the project is rebuilt only when something changed; hostFiles stays in one host.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import type { TextDocuments } from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { AnalysisHost } from '../../server/src/lsp/analysisHost';

/** The part of TextDocuments the host reads: the open documents. */
function openDocuments(docs: TextDocument[]): TextDocuments<TextDocument> {
  return {
    all: () => docs,
    get: (uri: string) => docs.find((d) => d.uri === uri),
  } as unknown as TextDocuments<TextDocument>;
}

test('one model per document version, reused by every caller; a new version replaces it and the project', () => {
  const doc = TextDocument.create('file:///ws/configuration.nix', 'nix', 1, '{ boot.loader.timeout = 1; }\n');
  const docs = [doc];
  const host = new AnalysisHost(openDocuments(docs), () => ({}));
  const m1 = host.model(doc);
  assert.equal(host.model(doc), m1, 'the same version is not parsed again');
  const p1 = host.project();
  assert.equal(host.project(), p1, 'the project is cached');
  assert.ok(p1.files.includes(m1));
  TextDocument.update(doc, [{ text: '{ boot.loader.timeout = 2; }\n' }], 2);
  const m2 = host.model(doc);
  assert.notEqual(m2, m1);
  assert.equal(m2.definitions[0]?.path.join('.'), 'boot.loader.timeout');
  const p2 = host.project();
  assert.notEqual(p2, p1, 'a new version invalidates the project');
  assert.ok(p2.files.includes(m2) && !p2.files.includes(m1));
});

test('disk files join the project; an open document wins over its disk copy; hostFiles stays in the host', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'nixboot-host-'));
  try {
    writeFileSync(join(dir, 'a.nix'), '{ imports = [ ./a-hw.nix ]; }\n');
    writeFileSync(join(dir, 'a-hw.nix'), '{ boot.loader.timeout = 1; }\n');
    writeFileSync(join(dir, 'b.nix'), '{ imports = [ ./b-hw.nix ]; }\n');
    writeFileSync(join(dir, 'b-hw.nix'), '{ boot.loader.timeout = 2; }\n');
    const open = TextDocument.create(
      pathToFileURL(join(dir, 'a.nix')).href,
      'nix',
      3,
      '{ imports = [ ./a-hw.nix ]; networking.hostName = "a"; }\n',
    );
    const host = new AnalysisHost(openDocuments([open]), () => ({ workspaceRoot: dir }));
    for (const f of ['a.nix', 'a-hw.nix', 'b.nix', 'b-hw.nix'])
      assert.ok(await host.readDiskFile(join(dir, f)));
    assert.equal(await host.readDiskFile(join(dir, 'missing.nix')), undefined);
    assert.equal(await host.readDiskFile(dir), undefined, 'a directory is not read');
    const a = host.model(open);
    assert.equal(host.modelOfPath(join(dir, 'a.nix')), a, 'the open document, not the disk copy');
    assert.deepEqual(
      host
        .hostFiles(a)
        .map((f) => f.path)
        .sort(),
      [join(dir, 'a-hw.nix'), join(dir, 'a.nix')],
    );
    const b = host.modelOfPath(join(dir, 'b-hw.nix'))!;
    assert.deepEqual(
      host
        .hostFiles(b)
        .map((f) => f.path)
        .sort(),
      [join(dir, 'b-hw.nix'), join(dir, 'b.nix')],
    );
    host.forgetDiskFile(join(dir, 'b.nix'));
    assert.equal(host.modelOfPath(join(dir, 'b.nix')), undefined);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
