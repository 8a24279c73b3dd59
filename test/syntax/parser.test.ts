import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { test } from 'node:test';
import { debugTree, parse, printTree } from '../../server/src/syntax/index';
import type { SyntaxElement, SyntaxNode } from '../../server/src/syntax/tree';
import { corpus } from './corpus';

/** Tokens are contiguous, cover the input, and every node spans its first to last token. */
export function checkInvariants(src: string, root: SyntaxNode): void {
  assert.equal(printTree(root), src, 'printing the tree gives the input back');
  let pos = 0;
  const visit = (e: SyntaxElement): void => {
    if (e.type === 'token') {
      assert.equal(e.start, pos, `token ${e.kind} starts where the previous ended`);
      assert.equal(e.text, src.slice(e.start, e.end));
      pos = e.end;
      return;
    }
    const first = e.children[0];
    const last = e.children[e.children.length - 1];
    if (e.kind !== 'Root') {
      assert.ok(first && last, `${e.kind} is not empty`);
      assert.equal(e.start, first.start, `${e.kind} starts at its first child`);
      assert.equal(e.end, last.end, `${e.kind} ends at its last child`);
    }
    for (const c of e.children) {
      assert.equal(c.parent, e, 'parent links');
      visit(c);
    }
  };
  visit(root);
  assert.equal(pos, src.length);
}

for (const f of corpus()) {
  test(`parse ${f.name}`, () => {
    const r = parse(f.text);
    checkInvariants(f.text, r.root);
    if (f.expect === 'ok') assert.deepEqual(r.errors, [], 'no syntax errors');
    if (f.expect === 'err') assert.ok(r.errors.length > 0, 'reports a syntax error');
    if (f.expect === 'fixture') return;
    const golden = `${f.path.slice(0, -4)}.ast`;
    const dump = `${debugTree(r.root)}${r.errors.map((e) => `error@${e.start}..${e.end} ${e.code}: ${e.message}`).join('\n')}${r.errors.length ? '\n' : ''}`;
    if (process.env.UPDATE_EXPECT === '1') writeFileSync(golden, dump);
    assert.ok(existsSync(golden), `${golden} missing (UPDATE_EXPECT=1)`);
    assert.equal(dump, readFileSync(golden, 'utf8'), `golden ${golden}`);
  });
}

test('errors are recovered: later bindings are still Bindings', () => {
  const src = '{\n  a = 1\n  b.c = 2;\n  d = ;\n  e = "x";\n}\n';
  const r = parse(src);
  assert.ok(r.errors.length >= 2);
  const set = r.root.children.find((c) => c.type === 'node') as SyntaxNode;
  const names = set.children
    .filter((c): c is SyntaxNode => c.type === 'node' && c.kind === 'Binding')
    .map((b) => src.slice(b.start, b.end).split('=')[0]!.trim());
  assert.deepEqual(names, ['a', 'b.c', 'd', 'e']);
  assert.match(r.errors[0]!.message, /expected `;`/);
});

test('nesting depth is capped without a stack overflow', () => {
  const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
  const r = parse(deep);
  assert.ok(r.errors.some((e) => e.code === 'too-deep'));
  assert.equal(printTree(r.root), deep);
  const parens = `${'('.repeat(50_000)}1${')'.repeat(50_000)}`;
  assert.equal(printTree(parse(parens).root), parens);
});

/** The source with explicit parentheses around every operator node. */
function grouped(src: string): string {
  const r = parse(src);
  assert.deepEqual(r.errors, [], src);
  let out = '';
  const visit = (e: SyntaxElement): void => {
    if (e.type === 'token') {
      if (e.kind !== 'whitespace') out += e.text;
      return;
    }
    const wrap = e.kind === 'BinaryOp' || e.kind === 'Apply';
    if (wrap) out += '(';
    for (const c of e.children) visit(c);
    if (wrap) out += ')';
  };
  visit(r.root);
  return out;
}

test('pipe operators group as NixOS/nix parser.y does: |> left, <| right, below ->', () => {
  // expr_pipe_into: expr_pipe_into |> expr_op; expr_pipe_from: expr_op <| expr_pipe_from.
  assert.equal(grouped('a |> f |> g'), '((a|>f)|>g)');
  assert.equal(grouped('f <| g <| a'), '(f<|(g<|a))');
  assert.equal(grouped('a -> b |> f'), '((a->b)|>f)');
  assert.equal(grouped('l ++ m |> f x'), '((l++m)|>(fx))');
  assert.equal(grouped('f x <| a || b'), '((fx)<|(a||b))');
  assert.equal(grouped('x: x |> f'), 'x:(x|>f)');
  // Mixing needs parentheses; an operand is an operator expression, not `if`, a lambda or `let`.
  for (const bad of ['a |> f <| b', 'f <| a |> g', 'a |> x: x', 'a |> if c then f else g', 'a |>', '<| a']) {
    assert.ok(parse(bad).errors.length > 0, bad);
  }
  assert.equal(grouped('a |> (f <| b)'), '(a|>((f<|b)))');
});

test('a long <| chain is capped like other nesting', () => {
  const src = `${'f <| '.repeat(20_000)}a`;
  const r = parse(src);
  assert.ok(r.errors.some((e) => e.code === 'too-deep'));
  assert.equal(printTree(r.root), src);
});
