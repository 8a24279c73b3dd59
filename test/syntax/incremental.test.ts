// Incremental reparsing must build exactly the tree a full parse builds: random edits of corpus
// files (most of them inside a binding, where the spliced path is taken; some hostile, where it
// falls back), chained over several versions, compared node by node and token by token.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { reparse, type Parsed } from '../../server/src/syntax/incremental';
import { parse } from '../../server/src/syntax/index';
import type { SyntaxElement, SyntaxNode } from '../../server/src/syntax/tree';
import { corpus } from './corpus';

const files = corpus()
  .map((f) => f.text)
  .filter((t) => t.length > 0);
const RUNS = Number(process.env.FUZZ_RUNS ?? 300);

/** Every element as kind@start-end (tokens with their text), parent links checked on the way. */
function dump(root: SyntaxNode): string[] {
  const out: string[] = [];
  const visit = (e: SyntaxElement, parent: SyntaxNode | undefined): void => {
    assert.equal(e.parent, parent, `parent link of ${e.kind}@${e.start}`);
    if (e.type === 'token') out.push(`${e.kind}@${e.start}-${e.end}:${JSON.stringify(e.text)}`);
    else {
      out.push(`${e.kind}@${e.start}-${e.end}[`);
      for (const c of e.children) visit(c, e);
      out.push(']');
    }
  };
  visit(root, undefined);
  return out;
}

const SAFE = ['x', 'abc', '1', ' ', '\n', 'a.b', '-', '_', "'"];
const HOSTILE = ['"', "''", '${', '}', '{', ';', '#', '/*', '=', 'in', 'let', '\\', '$'];

type Edit = { at: number; del: number; ins: string };

function apply(s: string, e: Edit): string {
  const at = s.length === 0 ? 0 : e.at % (s.length + 1);
  return s.slice(0, at) + e.ins + s.slice(at + e.del);
}

test('reparse after random edits equals a full parse; valid edits inside bindings are spliced', () => {
  let spliced = 0;
  let total = 0;
  const edit = fc.record({
    at: fc.nat(),
    del: fc.integer({ min: 0, max: 6 }),
    ins: fc.oneof(
      { weight: 4, arbitrary: fc.constantFrom(...SAFE) },
      { weight: 1, arbitrary: fc.constantFrom(...HOSTILE) },
    ),
  });
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: files.length - 1 }),
      fc.array(edit, { minLength: 1, maxLength: 5 }),
      (i, edits) => {
        let text = files[i]!;
        let prev: Parsed = { text, ...parse(text) };
        for (const e of edits) {
          text = apply(text, e);
          const full = parse(text);
          const inc = reparse(prev, text);
          total++;
          if (inc.incremental) spliced++;
          assert.deepEqual(dump(inc.root), dump(full.root));
          assert.deepEqual(inc.errors, full.errors);
          prev = { text, root: inc.root, errors: inc.errors };
        }
      },
    ),
    { numRuns: RUNS },
  );
  // The spliced path must really be taken (a reparse that always falls back would pass the above).
  assert.ok(spliced > total / 10, `spliced ${spliced} of ${total} reparses`);
});

test('an edit inside a string value splices one binding and shifts what follows', () => {
  const a = '{\n  a = "one";\n  b = { c = 1; d = "two"; };\n  e = 3;\n}\n';
  const prev: Parsed = { text: a, ...parse(a) };
  const oldE = prev.root.children[0]!.type === 'node' ? prev.root : undefined;
  assert.ok(oldE);
  const b = a.replace('"one"', '"one more"');
  const r = reparse(prev, b);
  assert.equal(r.incremental, true);
  assert.deepEqual(dump(r.root), dump(parse(b).root));
  // An edit that breaks the file falls back to a full parse with the error.
  const c = b.replace('d = "two";', 'd = "two;');
  const r2 = reparse({ text: b, root: r.root, errors: r.errors }, c);
  assert.equal(r2.incremental, false);
  assert.ok(r2.errors.length > 0);
});

test('edits at the top level (outside any binding) fall back to a full parse', () => {
  const a = '{ a = 1; }';
  const r = reparse({ text: a, ...parse(a) }, '{ a = 1; b = 2; }');
  assert.equal(r.incremental, false);
  assert.deepEqual(dump(r.root), dump(parse('{ a = 1; b = 2; }').root));
});

test('the linter finds the same things with a handed-over model as from scratch', async () => {
  const { analyzeFile, lintFile, makeProject } = await import('../../server/src/analysis');
  const settings = { nixosRelease: '25.11' };
  const lint = (m: ReturnType<typeof analyzeFile>) =>
    lintFile(m, makeProject([m], settings), settings).map((f) => ({
      rule: f.rule,
      start: f.start,
      end: f.end,
      message: f.message,
      fixes: f.fixes,
    }));
  const fixtures = corpus().filter((f) => f.expect === 'fixture');
  let spliced = 0;
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: fixtures.length - 1 }),
      fc.array(fc.record({ at: fc.nat(), ins: fc.constantFrom('x', ' ', 'abc', '\n') }), {
        minLength: 1,
        maxLength: 4,
      }),
      (i, edits) => {
        const path = `/fx/${i}.nix`;
        let text = fixtures[i]!.text;
        let prev = analyzeFile(path, text);
        lint(prev); // fills the per-node script caches that the next versions reuse after shifting
        for (const e of edits) {
          text = apply(text, { at: e.at, del: 0, ins: e.ins });
          const before = prev.root;
          const m = analyzeFile(path, text, prev);
          if (m.root === before) spliced++;
          assert.deepEqual(lint(m), lint(analyzeFile(path, text)));
          prev = m;
        }
      },
    ),
    { numRuns: RUNS },
  );
  assert.ok(spliced > 0, 'some versions were reparsed incrementally');
});

test('an edit that gives a let binding a dynamic name is reported as a full parse would', () => {
  // The edit is inside the binding (its first and last characters stay), so the splice path is
  // open; but `let` refuses a dynamic name, which only the binding's context tells.
  const a = 'let\n  n = "a";\n  "q" = 1;\nin\nq\n';
  const prev: Parsed = { text: a, ...parse(a) };
  const b = a.replace('"q" = 1;', '"${n}" = 1;');
  const r = reparse(prev, b);
  assert.deepEqual(r.errors, parse(b).errors);
  assert.ok(r.errors.some((e) => e.code === 'dynamic-attribute'));
  // The same edit in an attribute set is fine and is spliced.
  const c = '{\n  n = "a";\n  "q" = 1;\n}\n';
  const rc = reparse({ text: c, ...parse(c) }, c.replace('"q" = 1;', '"${n}" = 1;'));
  assert.deepEqual(rc.errors, []);
  assert.equal(rc.incremental, true);
});
