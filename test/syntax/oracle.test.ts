// Conformance against the real Nix (Debian nix-bin): the parser accepts what
// `nix-instantiate --parse` accepts, groups operators the way Nix does, and decodes strings to the
// values `nix-instantiate --eval` gives.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { parse, staticString } from '../../server/src/syntax/index';
import type { SyntaxElement, SyntaxNode } from '../../server/src/syntax/tree';
import { nixEnv, skipUnless } from '../nixEnv';
import { corpus } from './corpus';

const skip = skipUnless('nix-instantiate');
const dir = mkdtempSync(join(tmpdir(), 'nixboot-oracle-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function nixParse(text: string, name = 'expr.nix'): { ok: boolean; out: string; err: string } {
  const f = join(dir, name);
  writeFileSync(f, text);
  const r = spawnSync('nix-instantiate', ['--parse', f], { encoding: 'utf8', env: nixEnv() });
  // nix 2.8 also reports undefined variables and duplicate attributes while parsing: those are
  // semantic errors, not syntax errors (nixboot's parser does not report them).
  const undefinedVar = /undefined variable|already defined/.test(r.stderr);
  return { ok: r.status === 0 || undefinedVar, out: r.stdout, err: r.stderr };
}

/** The source with explicit parentheses around every operator, application and selection. */
function parenthesize(root: SyntaxNode): string {
  let out = '';
  const visit = (e: SyntaxElement): void => {
    if (e.type === 'token') {
      out += e.text;
      return;
    }
    const wrap =
      e.kind === 'BinaryOp' ||
      e.kind === 'UnaryOp' ||
      e.kind === 'HasAttr' ||
      e.kind === 'Apply' ||
      e.kind === 'Select';
    if (wrap) out += '(';
    for (const c of e.children) visit(c);
    if (wrap) out += ')';
  };
  visit(root);
  return out;
}

/**
 * Fixtures of syntax newer than the Nix here (Debian's 2.8) say so in a comment
 * (`# oracle: nix >= 2.24 …`): that Nix cannot judge them (parser.test.ts checks their trees).
 */
const NEWER_NIX = /^# oracle: nix >= /m;
const files = corpus().filter(
  (f) => (f.expect !== 'fixture' || !f.text.includes('# test: nix-oracle-skip')) && !NEWER_NIX.test(f.text),
);

test('(real nix) the parser accepts exactly what nix-instantiate --parse accepts', { skip }, () => {
  const disagreements: string[] = [];
  for (const f of files) {
    const ours = parse(f.text).errors.length === 0;
    const nix = nixParse(f.text);
    if (ours !== nix.ok)
      disagreements.push(
        `${f.name}: nixboot ${ours ? 'accepts' : 'rejects'}, nix ${nix.ok ? 'accepts' : `rejects (${nix.err.trim().split('\n')[0]})`}`,
      );
    if (f.expect === 'ok') assert.ok(nix.ok, `${f.name} is valid Nix: ${nix.err}`);
    if (f.expect === 'err') assert.ok(!nix.ok, `${f.name} is invalid Nix`);
  }
  assert.deepEqual(disagreements, []);
});

const PRECEDENCE = [
  '1 + 2 * 3',
  '1 - 2 - 3',
  '2 * 3 / 4',
  'a // b // c',
  '!t || t',
  '!t && f || t',
  '- 2 * 3',
  '- a ? b',
  '!a ? b',
  't -> f -> t',
  'l ++ l ++ l',
  'a + b ++ l',
  '!a + b',
  '!t == f',
  'a == b && b != c',
  'a < b == t',
  'f a b + f b',
  's.x.y or 1 + 2',
  's ? x.y && t',
  'f s.x.y',
  '- f a',
  'a - -b',
  'a ++ [ 1 ] ++ l',
  'x: y: x + y',
  'f (a: a) 1',
  'if t then 1 else 2 + 3',
  'let z = 1; in z + 1',
  'with s; x.y + 1',
  's // { x = 1; } // s',
  'a*-b',
  '!!t',
  '--a',
];

test('(real nix) operator precedence and associativity match nix', { skip }, () => {
  const prelude = 'let a = 1; b = 2; c = 3; t = true; f = x: y: x; l = [ 1 ]; s = { x.y = 1; }; in ';
  for (const e of PRECEDENCE) {
    const src = `${prelude}(${e})`;
    const r = parse(src);
    assert.deepEqual(r.errors, [], e);
    const original = nixParse(src, 'a.nix');
    const grouped = nixParse(parenthesize(r.root), 'b.nix');
    assert.ok(original.ok, `${e}: ${original.err}`);
    assert.equal(
      grouped.out,
      original.out,
      `grouping of ${e}: nixboot reads it as ${parenthesize(parse(e).root)}`,
    );
  }
  // The same over whole corpus files that nix accepts.
  for (const f of files.filter((x) => x.expect === 'ok' && x.text.trim())) {
    const r = parse(f.text);
    const original = nixParse(f.text, 'a.nix');
    const grouped = nixParse(parenthesize(r.root), 'b.nix');
    assert.equal(grouped.out, original.out, `grouping in ${f.name}`);
  }
});

test('(real nix) decoded strings equal nix-instantiate --eval', { skip }, () => {
  const literals: Array<{ src: string; ours: string; where: string }> = [];
  for (const f of files) {
    const r = parse(f.text);
    if (r.errors.length > 0) continue;
    const visit = (n: SyntaxNode): void => {
      if (n.kind === 'String' || n.kind === 'IndString') {
        const v = staticString(n);
        if (v !== undefined) literals.push({ src: f.text.slice(n.start, n.end), ours: v, where: f.name });
        return;
      }
      for (const c of n.children) if (c.type === 'node') visit(c);
    };
    visit(r.root);
  }
  assert.ok(literals.length > 100, `corpus has many strings (${literals.length})`);
  const file = join(dir, 'strings.nix');
  writeFileSync(file, `[\n${literals.map((l) => `(${l.src})`).join('\n')}\n]\n`);
  const r = spawnSync('nix-instantiate', ['--eval', '--strict', '--json', file], {
    encoding: 'utf8',
    env: nixEnv(),
    maxBuffer: 64 * 1024 * 1024,
  });
  assert.equal(r.status, 0, r.stderr);
  const values = JSON.parse(r.stdout) as string[];
  assert.equal(values.length, literals.length);
  const wrong = literals
    .filter((l, i) => l.ours !== values[i])
    .map(
      (l) =>
        `${l.where}: ${JSON.stringify(l.src)} → nixboot ${JSON.stringify(l.ours)}, nix ${JSON.stringify(values[literals.indexOf(l)])}`,
    );
  assert.deepEqual(wrong, []);
});
