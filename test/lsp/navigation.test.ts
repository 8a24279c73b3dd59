// Navigation through a real server over stdio, on a real multi-file flake (fixtures/navigation):
// two hosts (alpha: hosts/alpha/ and its imports; beta: hosts/beta/configuration.nix and
// modules/ through its default.nix) sharing modules/boot.nix. Document symbols, go to definition
// on import paths and from options, find references; never across hosts; broken files and paths
// to missing files answer without crashing.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { LspClient } from './client';

const ROOT = fileURLToPath(new URL('./fixtures/navigation', import.meta.url));
const uri = (rel: string) => pathToFileURL(join(ROOT, rel)).href;
const text = (rel: string) => readFileSync(join(ROOT, rel), 'utf8');

interface Range {
  start: { line: number; character: number };
  end: { line: number; character: number };
}
interface Sym {
  name: string;
  kind: number;
  detail?: string;
  range: Range;
  selectionRange: Range;
  children?: Sym[];
}
interface Loc {
  uri: string;
  range: Range;
}

/** The position of `needle` (the `nth` occurrence) in a fixture, `delta` characters into it. */
function pos(rel: string, needle: string, delta = 0, nth = 0): { line: number; character: number } {
  const t = text(rel);
  let at = -1;
  for (let k = 0; k <= nth; k++) at = t.indexOf(needle, at + 1);
  assert.ok(at >= 0, `${needle} not in ${rel}`);
  const before = t.slice(0, at + delta).split('\n');
  return { line: before.length - 1, character: before[before.length - 1]!.length };
}

/** `file:line:text` of each location: what the editor would show. */
function where(locs: Loc[] | null): string[] {
  return (locs ?? [])
    .map((l) => {
      const rel = fileURLToPath(l.uri).slice(ROOT.length + 1);
      const line = text(rel).split('\n')[l.range.start.line]!;
      return `${rel}:${l.range.start.line + 1}:${line.slice(l.range.start.character, l.range.end.character)}`;
    })
    .sort();
}

let client: LspClient;

before(async () => {
  client = new LspClient();
  await client.initialize(ROOT, {});
  for (const f of ['hosts/alpha/default.nix', 'hosts/alpha/hardware.nix', 'broken.nix'])
    await client.open(uri(f), text(f));
  // The workspace pass publishes every file on disk once it has read them all.
  await client.waitForDiagnostics(uri('hosts/beta/configuration.nix'), () => true, 20_000);
});

after(async () => {
  await client.close();
});

const definition = (rel: string, needle: string, delta = 0, nth = 0) =>
  client.conn.sendRequest('textDocument/definition', {
    textDocument: { uri: uri(rel) },
    position: pos(rel, needle, delta, nth),
  }) as Promise<Loc[] | null>;
const references = (rel: string, needle: string, delta = 0, includeDeclaration = true) =>
  client.conn.sendRequest('textDocument/references', {
    textDocument: { uri: uri(rel) },
    position: pos(rel, needle, delta),
    context: { includeDeclaration },
  }) as Promise<Loc[] | null>;
const symbols = (rel: string) =>
  client.conn.sendRequest('textDocument/documentSymbol', { textDocument: { uri: uri(rel) } }) as Promise<
    Sym[] | null
  >;

function outline(syms: Sym[], indent = ''): string[] {
  return syms.flatMap((s) => [`${indent}${s.name}`, ...outline(s.children ?? [], `${indent}  `)]);
}

test('the server offers symbols, definitions and references', async () => {
  const probe = new LspClient();
  try {
    const r = (await probe.initialize(ROOT, {})) as { capabilities: Record<string, unknown> };
    assert.ok(r.capabilities.documentSymbolProvider);
    assert.equal(r.capabilities.definitionProvider, true);
    assert.equal(r.capabilities.referencesProvider, true);
  } finally {
    await probe.close();
  }
});

test('Outline: nested sets as a hierarchy, dotted paths as written, ranges from the tree', async () => {
  const syms = (await symbols('hosts/alpha/hardware.nix'))!;
  assert.deepEqual(outline(syms), [
    'boot',
    '  initrd',
    '    availableKernelModules',
    '    luks.devices',
    '      cryptroot',
    '        allowDiscards',
    'boot.loader.systemd-boot.configurationLimit',
  ]);
  const boot = syms[0]!;
  assert.equal(boot.kind, 3, 'a set is a Namespace');
  assert.deepEqual(boot.selectionRange, {
    start: pos('hosts/alpha/hardware.nix', 'boot ='),
    end: pos('hosts/alpha/hardware.nix', 'boot =', 4),
  });
  assert.deepEqual(boot.range.start, pos('hosts/alpha/hardware.nix', 'boot ='));
  assert.deepEqual(
    boot.range.end,
    pos('hosts/alpha/hardware.nix', '};\n  boot.loader', 2),
    'the binding ends at its semicolon',
  );
  const leaf = syms[1]!;
  assert.equal(leaf.detail, 'lib.mkDefault 20');
});

test('Outline of a broken file: the parsed part still has its symbols', async () => {
  const syms = (await symbols('broken.nix'))!;
  const o = outline(syms);
  assert.ok(
    o.includes('boot.initrd.network') && o.includes('  enable') && o.includes('services.openssh.enable'),
    o.join('\n'),
  );
});

test('go to definition on import paths: a file, a directory (its default.nix), a missing file', async () => {
  assert.deepEqual(where(await definition('hosts/alpha/default.nix', '../../modules/boot.nix', 3)), [
    'modules/boot.nix:1:',
  ]);
  assert.deepEqual(where(await definition('hosts/alpha/default.nix', './hardware.nix', 0)), [
    'hosts/alpha/hardware.nix:1:',
  ]);
  assert.deepEqual(
    where(await definition('hosts/alpha/default.nix', './hardware.nix', 14)),
    ['hosts/alpha/hardware.nix:1:'],
    'the cursor just after the path',
  );
  assert.equal(await definition('hosts/alpha/default.nix', './missing.nix', 2), null);
  await client.open(uri('flake.nix'), text('flake.nix'));
  assert.deepEqual(where(await definition('flake.nix', './hosts/alpha', 4)), ['hosts/alpha/default.nix:1:']);
  assert.deepEqual(where(await definition('flake.nix', './hosts/beta/configuration.nix', 4)), [
    'hosts/beta/configuration.nix:1:',
  ]);
});

test("go to definition from an option: its other definitions in the same host, never the other host's", async () => {
  const limit = await definition('hosts/alpha/default.nix', 'configurationLimit', 3);
  assert.deepEqual(
    where(limit),
    ['hosts/alpha/hardware.nix:13:configurationLimit'],
    'beta sets it to 5 in its own file: not shown',
  );
  // A set: `cryptroot` nested in hardware.nix, dotted in default.nix.
  assert.deepEqual(where(await definition('hosts/alpha/hardware.nix', 'cryptroot', 2)), [
    'hosts/alpha/default.nix:8:cryptroot',
  ]);
  assert.deepEqual(where(await definition('hosts/alpha/default.nix', 'cryptroot', 2)), [
    'hosts/alpha/hardware.nix:7:cryptroot',
  ]);
  // A prefix of the path: `initrd` of `boot.initrd.luks…` is defined by every boot.initrd binding of the host.
  assert.deepEqual(where(await definition('hosts/alpha/default.nix', 'initrd', 1)), [
    'hosts/alpha/hardware.nix:4:initrd',
    'modules/boot.nix:4:initrd',
  ]);
});

test('go to definition on the only definition: itself (VS Code then shows references); from a config read: the definition', async () => {
  assert.deepEqual(where(await definition('hosts/alpha/default.nix', 'hostName', 2)), [
    'hosts/alpha/default.nix:10:hostName',
  ]);
  await client.open(uri('modules/boot.nix'), text('modules/boot.nix'));
  assert.deepEqual(where(await definition('modules/boot.nix', 'systemd-boot.enable true', 14)), [
    'modules/boot.nix:3:enable',
  ]);
});

test("find references of an option across the host's files: definitions and config reads, per host", async () => {
  const refs = where(await references('modules/boot.nix', 'systemd-boot', 3));
  // boot.nix is in both hosts: the union of both hosts' files.
  assert.deepEqual(refs, [
    'hosts/alpha/default.nix:9:systemd-boot',
    'hosts/alpha/hardware.nix:13:systemd-boot',
    'hosts/beta/configuration.nix:3:systemd-boot',
    'modules/boot.nix:3:systemd-boot',
    'modules/boot.nix:4:systemd-boot',
  ]);
  const alpha = where(await references('hosts/alpha/default.nix', 'configurationLimit', 2));
  assert.deepEqual(alpha, [
    'hosts/alpha/default.nix:9:configurationLimit',
    'hosts/alpha/hardware.nix:13:configurationLimit',
  ]);
  const without = where(await references('hosts/alpha/default.nix', 'configurationLimit', 2, false));
  assert.deepEqual(without, ['hosts/alpha/hardware.nix:13:configurationLimit']);
});

test('positions that name nothing answer null, not an error', async () => {
  assert.equal(await definition('hosts/alpha/default.nix', '"/dev/disk', 3), null);
  assert.equal(await references('hosts/alpha/default.nix', '{ config', 0), null);
  assert.equal(await definition('broken.nix', 'ssh.port = ;', 11), null);
  const unknown = await client.conn.sendRequest('textDocument/documentSymbol', {
    textDocument: { uri: uri('not-open.nix') },
  });
  assert.equal(unknown, null);
});
