// flake.lock inputs the fuzzer found (test/fuzz/crashes/flake-lock/): a follows cycle overflowed
// the stack and a non-string `rev` crashed describeLocked. Both are now clear FlakeLockErrors.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FlakeLockError, describeLocked, parseFlakeLock } from '../../server/src/nar/flakeLock';

const nar = 'sha256-TCQmzlnaEAEaS0rG3/3YOs7JFLcjPV0xHI2CcJHvj4s=';
const lock = (nodes: Record<string, unknown>) =>
  JSON.stringify({ nodes: { ...nodes }, root: 'root', version: 7 });

test('a follows cycle is a clear error, as in Nix (follow cycle detected)', () => {
  assert.throws(
    () => parseFlakeLock(lock({ root: { inputs: { a: ['a'] } } })),
    (e) => e instanceof FlakeLockError && /follow cycle detected: \[a -> a\]/.test(e.message),
  );
  const twoStep = lock({
    root: { inputs: { nixpkgs: ['hm', 'nixpkgs'], hm: 'hm' } },
    hm: {
      inputs: { nixpkgs: ['nixpkgs'] },
      locked: { type: 'git', url: 'https://x', rev: 'b'.repeat(40), narHash: nar },
    },
  });
  assert.throws(
    () => parseFlakeLock(twoStep),
    (e) =>
      e instanceof FlakeLockError &&
      /follow cycle detected: \[hm\/nixpkgs -> nixpkgs -> hm\/nixpkgs\]/.test(e.message),
  );
});

test('follows shared along a chain are not a cycle: every input resolves', () => {
  // 40 nodes, each following both inputs of the one before (a diamond at every step)
  const nodes: Record<string, unknown> = {
    root: { inputs: { n0: 'n0' } },
    n0: { locked: { type: 'path', path: '/x', narHash: nar } },
  };
  for (let i = 1; i < 40; i++) {
    (nodes.root as { inputs: Record<string, unknown> }).inputs[`n${i}`] = `n${i}`;
    nodes[`n${i}`] = {
      inputs: { a: [`n${i - 1}`, 'a'], b: [`n${i - 1}`, 'b'] },
      locked: { type: 'path', path: '/x', narHash: nar },
    };
  }
  (nodes.n0 as Record<string, unknown>).inputs = { a: 'n0', b: 'n0' };
  const l = parseFlakeLock(lock(nodes));
  assert.equal(l.inputs.length, 40);
  assert.deepEqual(
    l.inputs
      .find((i) => i.key === 'n0')!
      .paths.filter((p) => p.startsWith('n39/'))
      .sort(),
    ['n39/a', 'n39/b'],
  );
});

test('locked attributes of the wrong type are a clear error, not a crash later', () => {
  const bad = (locked: Record<string, unknown>) =>
    lock({
      root: { inputs: { x: 'x' } },
      x: { locked: { type: 'github', owner: 'o', repo: 'r', narHash: nar, ...locked } },
    });
  assert.throws(() => parseFlakeLock(bad({ rev: 1 })), /node 'x': locked.rev is not a string/);
  assert.throws(() => parseFlakeLock(bad({ url: ['u'] })), /locked.url is not a string/);
  assert.throws(() => parseFlakeLock(bad({ lastModified: '1' })), /locked.lastModified is not a number/);
  const ok = parseFlakeLock(bad({ rev: 'c'.repeat(40), lastModified: 1 }));
  assert.equal(describeLocked(ok.inputs[0]!.locked), `github:o/r/${'c'.repeat(12)}`);
});
