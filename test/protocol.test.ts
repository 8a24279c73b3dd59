// docs/protocol.md documents every message declared in server/src/protocol.ts, and nothing else.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';

test('protocol.ts and docs/protocol.md list the same messages', () => {
  // Comment lines left out: they show the form of a declaration with a placeholder name.
  const code = readFileSync(new URL('../server/src/protocol.ts', import.meta.url), 'utf8').replace(
    /^\s*(\/\/|\*|\/\*\*).*$/gm,
    '',
  );
  const doc = readFileSync(new URL('../docs/protocol.md', import.meta.url), 'utf8');
  const declared = [...code.matchAll(/\b(?:request|notification)<[^()]*>\(\s*'(nixboot\/[^']+)'\s*,?\s*\)/g)]
    .map((m) => m[1]!)
    .sort();
  const documented = [...doc.matchAll(/^## (nixboot\/\S+)/gm)].map((m) => m[1]!).sort();
  assert.ok(declared.length > 0);
  // Every 'nixboot/…' method name in the file is declared through request<P, R>() or notification<P>().
  const named = [...code.matchAll(/'(nixboot\/[^']+)'/g)].map((m) => m[1]!).sort();
  assert.deepEqual(named, declared, 'a method name outside request<P, R>() / notification<P>()');
  assert.deepEqual(documented, declared);
  assert.equal(new Set(declared).size, declared.length, 'method names are unique');
});
