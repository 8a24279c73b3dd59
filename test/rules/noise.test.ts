// Bounded findings (issues 13 and 14): a file that is not Nix text gets one finding saying so, a
// broken Nix file at most 20 syntax errors, a file over the size limit is not parsed at all.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { analyzeFile, lintFile, lintTexts, makeProject } from '../../server/src/analysis';
import { MAX_SYNTAX_FINDINGS } from '../../server/src/rules/syntax-error';
import { printTree } from '../../server/src/syntax/index';

/** Deterministic bytes (xorshift), decoded as a text editor or readFileSync(…, 'utf8') would. */
function randomBytes(n: number, seed = 14): Buffer {
  const b = Buffer.alloc(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    b[i] = x & 0xff;
  }
  return b;
}

function lint(text: string, settings = {}) {
  return lintTexts([{ path: '/ws/file.nix', text }], settings);
}

test('a 100 KB binary file gets one finding (it gave 15,199)', () => {
  const text = randomBytes(100_000).toString('utf8');
  const findings = lint(text);
  assert.equal(
    findings.length,
    1,
    findings
      .slice(0, 3)
      .map((f) => f.message)
      .join('\n'),
  );
  assert.equal(findings[0]!.rule, 'file-not-analysed');
  assert.equal(findings[0]!.severity, 'info');
  assert.match(findings[0]!.message, /binary data/);
  // Without the NUL bytes it is still binary (invalid UTF-8 and control characters).
  const noNul = Buffer.from(randomBytes(100_000, 7).map((b) => (b === 0 ? 1 : b))).toString('utf8');
  assert.deepEqual(
    lint(noNul).map((f) => f.rule),
    ['file-not-analysed'],
  );
});

test('encrypted secrets named .nix: git-crypt, age, sops, PGP each get one finding naming the tool', () => {
  const cases: Array<[string, RegExp]> = [
    [`\0GITCRYPT\0${randomBytes(5000).toString('latin1')}`, /git-crypt.*git-crypt unlock/],
    [`age-encryption.org/v1\n-> X25519 abc\ndef\n--- ghi\n${randomBytes(300).toString('latin1')}`, /age/],
    [
      '-----BEGIN AGE ENCRYPTED FILE-----\nYWdlLWVuY3J5cHRpb24ub3JnL3YxCg==\n-----END AGE ENCRYPTED FILE-----\n',
      /age/,
    ],
    ['-----BEGIN PGP MESSAGE-----\n\nhQEMA1234\n-----END PGP MESSAGE-----\n', /PGP/],
    [
      '{\n  "data": "ENC[AES256_GCM,data:abc=,iv:def=,tag:ghi=,type:str]",\n  "sops": { "version": "3.9.0" }\n}\n',
      /sops/,
    ],
    ['data: ENC[AES256_GCM,data:abc=,iv:def=,tag:ghi=,type:str]\nsops:\n    version: 3.9.0\n', /sops/],
  ];
  for (const [text, why] of cases) {
    const findings = lint(text);
    assert.deepEqual(
      findings.map((f) => f.rule),
      ['file-not-analysed'],
      text.slice(0, 40),
    );
    assert.match(findings[0]!.message, why);
  }
});

test('other formats and languages named .nix: JSON, a DNS zone, a window-manager config', () => {
  const json = lint('{ "nodes": { "root": { "inputs": {} } }, "root": "root", "version": 7 }\n');
  assert.deepEqual(
    json.map((f) => f.rule),
    ['file-not-analysed'],
  );
  assert.match(json[0]!.message, /JSON/);
  const zone = lint(
    '$ORIGIN example.org.\n$TTL 3600\n@ IN SOA ns1 hostmaster ( 1 7200 3600 1209600 3600 )\nwww IN A 192.0.2.2\n',
  );
  assert.deepEqual(
    zone.map((f) => f.rule),
    ['file-not-analysed'],
  );
  assert.match(
    zone[0]!.message,
    /begins with `\$`.*Nix fails here too: unexpected character `\$` \(line 1\)/,
  );
  const wm = lint(
    'set $mod Mod4\nfloating_modifier $mod\nbindsym $mod+Return exec alacritty\nbindsym $mod+d exec dmenu_run\n',
  );
  assert.deepEqual(
    wm.map((f) => f.rule),
    ['file-not-analysed'],
  );
  assert.match(wm[0]!.message, /4 of its 4 lines/);
});

test('Nix with mistakes keeps its syntax errors: not called "not Nix"', () => {
  for (const text of [
    '{\n  a = 1\n  b = 2;\n}\n',
    '{\n<<<<<<< HEAD\n  a = 1;\n=======\n  a = 2;\n>>>>>>> other\n}\n',
    '}\n{ a = 1; }\n',
    '{ a = "unterminated; b = 2; }\n',
    '{ a = 1; b = $x; }\n',
  ]) {
    const rules = lint(text).map((f) => f.rule);
    assert.ok(
      rules.includes('syntax-error') && !rules.includes('file-not-analysed'),
      `${JSON.stringify(text)}: ${rules}`,
    );
  }
});

test(`at most ${MAX_SYNTAX_FINDINGS} syntax-error findings per file, the last counting the rest`, () => {
  const text = `{\n${Array.from({ length: 300 }, (_, i) => `  a${i} = ;\n`).join('')}}\n`;
  const findings = lint(text).filter((f) => f.rule === 'syntax-error');
  assert.equal(findings.length, MAX_SYNTAX_FINDINGS);
  assert.match(findings.at(-1)!.message, /and 280 more syntax errors after this one/);
  assert.doesNotMatch(findings[0]!.message, /more syntax errors/);
  // Exactly 20 errors: all shown, no count.
  const twenty = `{\n${Array.from({ length: 20 }, (_, i) => `  a${i} = ;\n`).join('')}}\n`;
  const all = lint(twenty).filter((f) => f.rule === 'syntax-error');
  assert.equal(all.length, 20);
  assert.ok(all.every((f) => !/more syntax errors/.test(f.message)));
});

test('an empty file or one of only comments: one warning, not an error', () => {
  for (const [text, what] of [
    ['', /empty/],
    ['  \n\n', /empty/],
    ['# nothing here yet\n/* really */\n', /only comments/],
  ] as const) {
    const findings = lint(text);
    assert.equal(findings.length, 1, JSON.stringify(text));
    assert.equal(findings[0]!.rule, 'syntax-error');
    assert.equal(findings[0]!.severity, 'warning');
    assert.match(findings[0]!.message, what);
  }
});

test('pipe operators: accepted, one hint per file naming Nix 2.24 and the feature', () => {
  const findings = lint('{ f, g }:\n{\n  a = 1 |> f |> g;\n  b = f <| 2;\n  c = "a |> in a string";\n}\n');
  assert.deepEqual(
    findings.map((f) => `${f.rule}:${f.severity}`),
    ['syntax-error:hint'],
  );
  assert.match(
    findings[0]!.message,
    /Nix ≥ 2\.24.*experimental-features = pipe-operators.*\(2 more pipe operators in this file\)/,
  );
  assert.deepEqual(lint('{ a = "|> <|"; }\n'), []);
});

test('a file over the size limit is not parsed: one finding, quickly; a higher limit analyses it', () => {
  const binding = '  services.example.setting = "a value that repeats to make the file large";\n';
  const text = `{\n${binding.repeat(Math.ceil((3 * 1024 * 1024) / binding.length))}}\n`;
  const t0 = performance.now();
  const findings = lint(text);
  const ms = performance.now() - t0;
  assert.deepEqual(
    findings.map((f) => f.rule),
    ['file-not-analysed'],
  );
  assert.match(findings[0]!.message, /the file is 3 MiB, over the 2 MiB limit/);
  assert.ok(ms < 1000, `took ${ms.toFixed(0)} ms`);
  const model = analyzeFile('/ws/big.nix', text);
  assert.equal(printTree(model.root), text, 'the opaque tree still covers the text');
  const analysed = analyzeFile('/ws/big.nix', text, undefined, { maxFileBytes: 4 * 1024 * 1024 });
  assert.equal(analysed.notAnalysed, undefined);
  assert.ok(analysed.definitions.length > 1000);
});

test('a file that was not Nix and becomes Nix in the editor is analysed again', () => {
  const before = analyzeFile('/ws/f.nix', '$ORIGIN example.org.\n@ IN A 192.0.2.1\n');
  assert.ok(before.notAnalysed);
  const after = analyzeFile('/ws/f.nix', '{ boot.loader.grub.enable = false; }\n', before);
  assert.equal(after.notAnalysed, undefined);
  assert.deepEqual(after.errors, []);
  assert.deepEqual(lintFile(after, makeProject([after])), []);
});
