// The invariants of docs/architecture.md, checked by reading imports.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';

const ROOT = new URL('..', import.meta.url).pathname;

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(join(ROOT, dir))) {
    const p = join(dir, name);
    if (statSync(join(ROOT, p)).isDirectory()) out.push(...sources(p));
    else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

/** Module specifiers imported or re-exported; `import type` (erased at build) only when asked. */
function imports(file: string, withTypes = true): string[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  return [
    ...text.matchAll(
      /^\s*((?:import|export)\b[^'"]*?)from\s+['"]([^'"]+)['"]|^\s*import\s+['"]([^'"]+)['"]/gm,
    ),
  ]
    .filter((m) => withTypes || !/^\s*(import|export)\s+type\b/.test(m[1] ?? ''))
    .map((m) => m[2] ?? m[3]!);
}

/** The server area a relative import lands in ('syntax', 'nixos', …), or the package name. */
function target(file: string, spec: string): string {
  if (!spec.startsWith('.'))
    return spec.startsWith('node:')
      ? spec
      : spec.split('/')[0]!.startsWith('@')
        ? spec.split('/').slice(0, 2).join('/')
        : spec.split('/')[0]!;
  const abs = join(ROOT, file, '..', spec);
  const rel = relative(join(ROOT, 'server/src'), abs);
  if (rel.startsWith('..')) return relative(ROOT, abs);
  return `server:${rel.split('/')[0]!.replace(/\.ts$/, '')}`;
}

const server = sources('server/src');
const client = sources('client/src');

test('nothing under server/ imports vscode', () => {
  for (const f of server) for (const i of imports(f)) assert.ok(i !== 'vscode', `${f} imports vscode`);
});

test('the client imports only the protocol file from the server', () => {
  for (const f of client) {
    for (const i of imports(f)) {
      const t = target(f, i);
      if (t.startsWith('server'))
        assert.equal(
          relative(ROOT, join(ROOT, f, '..', i)).replace(/\.ts$/, ''),
          'server/src/protocol',
          `${f} imports ${i}`,
        );
    }
  }
});

test('only server/src/system spawns processes', () => {
  for (const f of server) {
    if (f.startsWith('server/src/system/')) continue;
    for (const i of imports(f)) {
      assert.ok(
        !['node:child_process', 'child_process', 'execa'].includes(i),
        `${f} imports ${i}: spawn through server/src/system/exec.ts`,
      );
    }
  }
});

test('runtime import directions: syntax <- nixos, shell <- rules <- analysis <- {lsp, cli}; initrd and nar are leaves', () => {
  const allowed: Record<string, string[]> = {
    syntax: ['syntax'],
    shell: ['shell', 'syntax'],
    nixos: ['nixos', 'syntax', 'files'],
    rules: ['rules', 'nixos', 'shell', 'syntax', 'text'],
    analysis: ['rules', 'nixos', 'shell', 'syntax', 'text'],
    text: [],
    // text.ts (positions, the printable() escaping every text output uses) is a leaf anyone may use;
    // files.ts (opening only regular files, never blocking on a FIFO) imports nothing of ours.
    files: [],
    nar: ['nar', 'text', 'files'],
    initrd: ['initrd', 'system', 'text', 'files'],
    system: ['system', 'nar', 'initrd', 'text', 'files'],
    protocol: [],
  };
  for (const f of server) {
    const area = relative(join(ROOT, 'server/src'), join(ROOT, f)).split('/')[0]!.replace(/\.ts$/, '');
    const ok = allowed[area];
    if (!ok) continue; // lsp, cli: front ends may use everything
    for (const i of imports(f, false)) {
      const t = target(f, i);
      if (!t.startsWith('server:')) continue;
      const to = t.slice('server:'.length);
      assert.ok(ok.includes(to), `${f} (${area}) must not import ${to}`);
    }
  }
});

test('nixboot/ messages go through the typed helpers (client/src/requests.ts, server/src/lsp/typed.ts)', () => {
  for (const f of client) {
    if (f === 'client/src/requests.ts') continue;
    const text = readFileSync(join(ROOT, f), 'utf8');
    assert.ok(
      !/\.(sendRequest|sendNotification|onNotification|onRequest)\s*[<(]/.test(text),
      `${f} talks to the language client directly: use client/src/requests.ts`,
    );
    assert.ok(
      !/\b\w+(Request|Notification)\.method\b/.test(text),
      `${f} uses a method name: pass the typed declaration`,
    );
  }
  for (const f of server) {
    if (f === 'server/src/lsp/typed.ts' || f === 'server/src/protocol.ts') continue;
    const text = readFileSync(join(ROOT, f), 'utf8');
    assert.ok(
      !/\.(sendRequest|sendNotification|onNotification|onRequest)\s*(<[^>]*>)?\(\s*(['"`]nixboot\/|\w+(Request|Notification)\.method\b)/.test(
        text,
      ),
      `${f} registers or sends a nixboot/ message untyped: use server/src/lsp/typed.ts`,
    );
  }
});

test('each LSP message has one handler: connection.onX is registered once in the server', () => {
  // vscode-languageserver keeps one handler per message; a second registration silently replaces
  // the first (a feature's onInitialized once replaced main.ts's, losing workspace-folder changes).
  const seen = new Map<string, string>();
  for (const f of server) {
    const text = readFileSync(join(ROOT, f), 'utf8');
    for (const m of text.matchAll(/\bconnection\.(on(?!Request\b|Notification\b)[A-Z]\w*)\s*\(/g)) {
      const first = seen.get(m[1]!);
      assert.ok(!first, `${m[1]} is registered in ${first} and again in ${f}: use the env's listeners`);
      seen.set(m[1]!, f);
    }
  }
  assert.ok(seen.has('onInitialized'), 'the server handles initialized');
});
