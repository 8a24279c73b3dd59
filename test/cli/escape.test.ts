// Crafted names cannot move the terminal cursor or forge lines (issue 13, item 5), through the
// built CLI (dist/cli.js) as a user runs it: initrd ls/diff of an archive whose names hold ESC
// sequences, CR, newlines and invalid UTF-8; a file that is not an initrd (shadow-like text);
// lock verify / find-rev of a commit whose subject holds ESC and a forged line; lint on a file
// whose name holds ESC.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { formatHash } from '../../server/src/nar/encoding';
import { hashPath } from '../../server/src/nar/nar';
import { skipUnless } from '../nixEnv';
import { exportCommit, git, lockFor } from '../provenance/gitRepo';

const tmp = mkdtempSync(join(tmpdir(), 'nixboot-escape-'));
after(() => rmSync(tmp, { recursive: true, force: true }));
const CLI = new URL('../../dist/cli.js', import.meta.url).pathname;

function cli(args: string[], cwd = tmp): { code: number; out: string; err: string } {
  assert.ok(existsSync(CLI), `${CLI} is missing: run npm run build`);
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8' });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}

/** No byte that a terminal would act on, other than newline and tab. */
function assertInert(text: string, what: string): void {
  assert.doesNotMatch(
    text,
    /[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]/,
    `${what}: ${JSON.stringify(text)}`,
  );
}

const NAMES: Buffer[] = [
  Buffer.from('esc\x1b[2J\x1b[1;1Hclear'),
  Buffer.from('cr\rFAKE LINE'),
  Buffer.from('nl\n-rw-r--r--    0    0          1 forged'),
  Buffer.from([0x62, 0x61, 0x64, 0xff, 0xfe, 0x2e, 0x62, 0x69, 0x6e]),
  Buffer.from('osc\x1b]0;title\x07'),
  Buffer.from('csi\u009b2J'),
];

test(
  'initrd ls and diff print crafted names escaped, one line per entry; non-initrd data is described, not dumped (cpio, built CLI)',
  { skip: skipUnless('cpio') },
  () => {
    const root = join(tmp, 'root');
    mkdirSync(root);
    for (const n of NAMES) writeFileSync(Buffer.concat([Buffer.from(`${root}/`), n]), 'x');
    writeFileSync(join(root, 'init'), '#!/bin/sh\n');
    const archive = join(tmp, 'initrd.cpio');
    const r = spawnSync(
      'sh',
      ['-c', `cd '${root}' && find . -print0 | cpio --null -o -H newc --quiet > '${archive}'`],
      { encoding: 'utf8' },
    );
    assert.equal(r.status, 0, r.stderr);
    const ls = cli(['initrd', 'ls', archive]);
    assert.equal(ls.code, 0, ls.err);
    assertInert(ls.out, 'initrd ls');
    const lines = ls.out.trimEnd().split('\n');
    assert.equal(
      lines.filter((l) => !l.startsWith('#')).length,
      NAMES.length + 2,
      `one line per entry (., init, names):\n${ls.out}`,
    );
    assert.ok(
      lines.some((l) => l.includes('esc\\x1b[2J\\x1b[1;1Hclear')),
      ls.out,
    );
    assert.ok(
      lines.some((l) => l.includes('cr\\rFAKE LINE')),
      ls.out,
    );
    assert.ok(
      !lines.some((l) => l.endsWith(' forged') && !l.includes('\\n')),
      'a newline in a name cannot forge an entry',
    );
    const plain = join(tmp, 'plain.cpio');
    assert.equal(
      spawnSync('sh', ['-c', `cd '${root}' && printf './init\\n' | cpio -o -H newc --quiet > '${plain}'`])
        .status,
      0,
    );
    const diff = cli(['initrd', 'diff', plain, archive]);
    assertInert(diff.out + diff.err, 'initrd diff');
    assert.match(diff.out, /^\+ .*esc\\x1b\[2J/m);
    // /etc/shadow-like text: the error says what it looks like, not what is in it.
    const shadow = join(tmp, 'shadow');
    writeFileSync(shadow, 'root:*:19000:0:99999:7:::\nalice:$6$salt$hash:19000:0:99999:7:::\n');
    const bad = cli(['initrd', 'ls', shadow]);
    assert.equal(bad.code, 2);
    assert.match(bad.err, /looks like text, not an initrd/);
    assert.doesNotMatch(bad.err, /root|alice|726f6f74|\$6\$/);
  },
);

test(
  'lock verify and find-rev print a hostile commit subject escaped; lint prints a crafted file name escaped (real git, built CLI)',
  { skip: skipUnless('git', 'tar') },
  async () => {
    const repo = join(tmp, 'repo');
    mkdirSync(repo);
    git(repo, ['init', '-q', '-b', 'main']);
    writeFileSync(join(repo, 'a'), 'a\n');
    git(repo, ['add', 'a']);
    git(repo, ['commit', '-q', '-m', 'subject\x1b[2J\rverified: forged\u202e'], {
      GIT_COMMITTER_DATE: '@1700000000 +0000',
    });
    const head = git(repo, ['rev-parse', 'HEAD']).trim();
    const narHash = formatHash((await hashPath(exportCommit(repo, head, join(tmp, 'x')))).hash, 'sri');
    const lockFile = join(tmp, 'flake.lock');
    writeFileSync(
      lockFile,
      lockFor({
        'in\x1bput': {
          locked: { type: 'git', url: `file://${repo}`, rev: head, narHash },
          original: { type: 'git' },
        },
      }),
    );
    const v = cli(['lock', 'verify', '--lock', lockFile, 'in\x1bput', '--git', repo]);
    assert.equal(v.code, 0, v.out + v.err);
    assertInert(v.out + v.err, 'lock verify');
    assert.match(v.out, /subject\\x1b\[2J\\rverified: forged\\u202e/);
    const f = cli(['lock', 'find-rev', '--lock', lockFile, 'in\x1bput', '--repo', repo]);
    assert.equal(f.code, 0, f.out + f.err);
    assertInert(f.out + f.err, 'lock find-rev');
    const list = cli(['lock', 'list', '--lock', lockFile]);
    assertInert(list.out, 'lock list');
    // lint: the name of the file is printed escaped
    const dir = join(tmp, 'lint');
    mkdirSync(dir);
    writeFileSync(join(dir, 'evil\x1b[31m\r.nix'), '{ boot.loader.systemd-boot.configurationLimit = 1; }\n');
    const l = cli(['lint', dir]);
    assert.equal(l.code, 0, l.out + l.err);
    assertInert(l.out + l.err, 'lint');
    assert.match(l.out, /evil\\x1b\[31m\\r\.nix:1:/);
  },
);
