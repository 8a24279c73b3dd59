// Hostile input: random text, token soups and mutations of real files never make the parser throw
// or hang, and the tree always prints back the input. The same for the shell mapping of strings.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { parse, printTree } from '../../server/src/syntax/index';
import type { SyntaxNode } from '../../server/src/syntax/tree';
import { analyzeFile, lintFile, makeProject } from '../../server/src/analysis';
import { scriptFromString } from '../../server/src/shell/source';
import { corpus } from './corpus';

const files = corpus()
  .map((f) => f.text)
  .filter((t) => t.length > 0);
const RUNS = Number(process.env.FUZZ_RUNS ?? 300);

const PIECES = [
  '{',
  '}',
  '[',
  ']',
  '(',
  ')',
  ';',
  ':',
  ',',
  '.',
  '...',
  '@',
  '=',
  '?',
  '++',
  '//',
  '+',
  '-',
  '*',
  '/',
  '!',
  '==',
  '!=',
  '<',
  '>',
  '<=',
  '>=',
  '&&',
  '||',
  '->',
  ' ',
  '\n',
  '\t',
  '\r\n',
  'a',
  'b.c',
  'or',
  'let',
  'in',
  'rec',
  'with',
  'inherit',
  'if',
  'then',
  'else',
  'assert',
  '"',
  '"s"',
  "''",
  "'''",
  "''$",
  '${',
  '$',
  '#',
  '/*',
  '*/',
  './p',
  '~/p',
  '<n>',
  'x:y',
  '1',
  '1.5',
  '.5',
  'é',
  '😀',
  '\\',
  "'",
  '`',
  '&',
  '|',
];

function check(src: string): void {
  const t0 = performance.now();
  const r = parse(src);
  const ms = performance.now() - t0;
  assert.equal(printTree(r.root), src);
  assert.ok(ms < 1000, `parse of ${src.length} chars took ${ms.toFixed(0)} ms`);
}

test('random strings round-trip', () => {
  fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 400 }), check), { numRuns: RUNS });
});

test('token soups round-trip', () => {
  fc.assert(
    fc.property(fc.array(fc.constantFrom(...PIECES), { maxLength: 200 }), (parts) => check(parts.join(''))),
    { numRuns: RUNS },
  );
});

test('mutated corpus files round-trip and still lint without throwing', () => {
  const mutation = fc.record({
    file: fc.integer({ min: 0, max: files.length - 1 }),
    ops: fc.array(
      fc.record({
        kind: fc.constantFrom('delete', 'insert', 'duplicate', 'swap'),
        at: fc.nat(),
        len: fc.integer({ min: 1, max: 40 }),
        piece: fc.constantFrom(...PIECES),
      }),
      { minLength: 1, maxLength: 6 },
    ),
  });
  fc.assert(
    fc.property(mutation, ({ file, ops }) => {
      let s = files[file]!;
      for (const op of ops) {
        const at = s.length === 0 ? 0 : op.at % s.length;
        if (op.kind === 'delete') s = s.slice(0, at) + s.slice(at + op.len);
        else if (op.kind === 'insert') s = s.slice(0, at) + op.piece + s.slice(at);
        else if (op.kind === 'duplicate') s = s.slice(0, at) + s.slice(at, at + op.len) + s.slice(at);
        else {
          const b = (at + op.len * 7) % Math.max(1, s.length);
          const [x, y] = at < b ? [at, b] : [b, at];
          s =
            s.slice(0, x) +
            s.slice(y, y + op.len) +
            s.slice(x + op.len, y) +
            s.slice(x, x + op.len) +
            s.slice(y + op.len);
        }
      }
      check(s);
      // The whole linter must survive what the parser makes of it.
      const m = analyzeFile('/fuzz/x.nix', s);
      const findings = lintFile(m, makeProject([m], { nixosRelease: '25.11' }), { nixosRelease: '25.11' });
      for (const f of findings)
        assert.ok(f.start >= 0 && f.end >= f.start && f.end <= s.length, `finding ${f.rule} in range`);
    }),
    { numRuns: RUNS },
  );
});

test('shell mapping of every string maps inside the string', () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: files.length - 1 }), (i) => {
      const src = files[i]!;
      const visit = (n: SyntaxNode): void => {
        if (n.kind === 'String' || n.kind === 'IndString') {
          const s = scriptFromString(n);
          for (let k = 0; k <= s.text.length; k++) {
            const o = s.toFile(k);
            assert.ok(o >= n.start && o <= n.end, `offset ${o} of char ${k} inside [${n.start}, ${n.end}]`);
          }
          for (let k = 0; k < s.text.length; k += 7) {
            const r = s.rangeToFile(k, Math.min(s.text.length, k + 5));
            assert.ok(r.start <= r.end && r.start >= n.start && r.end <= n.end);
          }
        }
        for (const c of n.children) if (c.type === 'node') visit(c);
      };
      visit(parse(src).root);
    }),
    { numRuns: Math.min(RUNS, files.length * 3) },
  );
});
