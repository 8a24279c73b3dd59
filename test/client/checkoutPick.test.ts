// The "which repository?" pick of Find Commit Matching narHash (client/src/provenance/checkoutPick.ts).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BROWSE_LABEL, checkoutPick, type Candidate } from '../../client/src/provenance/checkoutPick';

const c = (path: string, match: Candidate['match'], reasons: string[]): Candidate => ({
  path,
  match,
  strong: match === 'locked' || match === 'remote',
  reasons,
  checked: true,
});

test('checkout pick: each candidate labelled with its path and why; Browse… last; the one strong candidate starts active', () => {
  const p = checkoutPick('nixpkgs', [
    c('/src/nixpkgs', 'remote', ['remote origin is github.com/nixos/nixpkgs']),
    c('/src/other', 'name', ['its directory is named nixpkgs']),
  ]);
  assert.deepEqual(
    p.items.map((i) => [i.label, i.description, i.detail, i.repo]),
    [
      [
        '/src/nixpkgs',
        '$(star-full) remote is the input’s repository',
        'remote origin is github.com/nixos/nixpkgs',
        '/src/nixpkgs',
      ],
      ['/src/other', 'same name', 'its directory is named nixpkgs', '/src/other'],
      [BROWSE_LABEL, undefined, 'Choose another folder that holds a git repository', undefined],
    ],
  );
  assert.equal(p.active, 0);
  assert.equal(
    p.placeholder,
    "Enter searches the starred repository for 'nixpkgs'; or choose another, or Browse…",
  );
});

test('checkout pick: a strong candidate after weaker ones still starts active; two strong ones: the first, and the question is asked', () => {
  const one = checkoutPick('x', [
    c('/a', 'fork', ['r1']),
    c('/b', 'locked', ['the flake.lock names it (locked.url)']),
  ]);
  assert.equal(one.active, 1);
  const two = checkoutPick('x', [c('/a', 'remote', ['r1']), c('/b', 'locked', ['r2'])]);
  assert.equal(two.active, 0);
  assert.equal(two.placeholder, "Which git repository holds the history of 'x'?");
  const weak = checkoutPick('x', [c('/a', 'name', ['r'])]);
  assert.equal(weak.active, 0);
  assert.equal(weak.placeholder, "Which git repository holds the history of 'x'?");
});
