// A cloned repository cannot run code (issue 13, item 1). Each case is a real repository whose
// configuration makes git run a payload that writes a marker file. A control runs real git the
// way that key is meant to fire and asserts the marker appears (so the payload works and the test
// can fail); then lock verify, find-rev, the provenance commit link and the language server's
// code-lens verify run on it, and no marker may appear. Also: packed repositories (deltas) hash
// like loose ones, and a lock's own locked.url / locked.path is not followed without being named.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, test } from 'node:test';
import { lockCommand } from '../../server/src/cli/lock';
import { formatHash } from '../../server/src/nar/encoding';
import { parseFlakeLock } from '../../server/src/nar/flakeLock';
import { hashPath } from '../../server/src/nar/nar';
import { GitObjectReader, GitTreeHasher, listCommits, resolveCommit } from '../../server/src/system/git';
import { fileUrlPath, verifyInput } from '../../server/src/system/provenance';
import { LspClient, SERVER } from '../lsp/client';
import { runCommand } from '../nar/cliHelper';
import { nixEnv, skipUnless } from '../nixEnv';
import { exportCommit, git, lockFor, makeRepo } from './gitRepo';

const tmp = mkdtempSync(join(tmpdir(), 'nixboot-hostile-'));
after(() => rmSync(tmp, { recursive: true, force: true }));
const skip = skipUnless('git', 'tar');

const MARKER = join(tmp, 'PWNED');
const payload = join(tmp, 'payload.sh');

interface Case {
  readonly name: string;
  /** Lines appended to the repository's config (PAYLOAD is replaced by the payload's path). */
  readonly config: string;
  /** Bare repository (the issue's `evil.git`) or a work tree. */
  readonly bare?: boolean;
  /** Extra set-up in the repository directory. */
  readonly setup?: (dir: string) => void;
  /** git arguments that make real git run the payload (proves the case is live), or none. */
  readonly control?: string[];
}

const signedCommit = (dir: string): void => {
  // A commit with a gpgsig header, so that log.showSignature asks gpg.program to check it.
  const head = git(dir, ['cat-file', 'commit', 'HEAD']);
  const [hdr, ...msg] = head.split('\n\n');
  const sig = 'gpgsig -----BEGIN PGP SIGNATURE-----\n \n iQEzBAABCAAdFiEE\n -----END PGP SIGNATURE-----';
  const body = `${hdr}\n${sig}\n\n${msg.join('\n\n')}`;
  const r = spawnSync('git', ['-C', dir, 'hash-object', '-t', 'commit', '-w', '--stdin'], {
    input: body,
    encoding: 'utf8',
  });
  assert.equal(r.status, 0, r.stderr);
  git(dir, ['update-ref', 'HEAD', r.stdout.trim()]);
};

const hooks = (h: string): void => {
  mkdirSync(h, { recursive: true });
  for (const n of [
    'pre-commit',
    'post-checkout',
    'reference-transaction',
    'post-index-change',
    'pre-auto-gc',
    'post-rewrite',
    'fsmonitor-watchman',
  ]) {
    writeFileSync(join(h, n), `#!/bin/sh\n${payload}\n`);
    chmodSync(join(h, n), 0o755);
  }
};

const CASES: Case[] = [
  {
    name: 'log.showSignature + gpg.program (the issue: evil.git)',
    bare: true,
    config: '[log]\n\tshowSignature = true\n[gpg]\n\tprogram = PAYLOAD',
    setup: signedCommit,
    control: ['log', '-1'],
  },
  {
    name: 'gpg.format ssh + gpg.ssh.program',
    config:
      '[log]\n\tshowSignature = true\n[gpg]\n\tformat = ssh\n[gpg "ssh"]\n\tprogram = PAYLOAD\n\tdefaultKeyCommand = PAYLOAD',
  },
  { name: 'core.fsmonitor', config: '[core]\n\tfsmonitor = PAYLOAD', control: ['status', '--short'] },
  {
    name: 'core.pager and pager.*',
    config: '[core]\n\tpager = PAYLOAD\n[pager]\n\tlog = PAYLOAD\n\tcat-file = PAYLOAD\n\tshow = PAYLOAD',
  },
  {
    name: 'diff.external and textconv',
    config: '[diff]\n\texternal = PAYLOAD\n[diff "x"]\n\ttextconv = PAYLOAD\n\tcommand = PAYLOAD',
    setup: (d) => writeFileSync(join(d, '.git', 'info', 'attributes'), '* diff=x\n'),
    control: ['diff', 'HEAD~1', 'HEAD'],
  },
  {
    name: 'filters (smudge, clean, process)',
    config: '[filter "x"]\n\tsmudge = PAYLOAD\n\tclean = PAYLOAD\n\tprocess = PAYLOAD\n\trequired = true',
    setup: (d) => writeFileSync(join(d, '.git', 'info', 'attributes'), '* filter=x\n'),
    control: ['cat-file', '--filters', 'HEAD:foo.txt'],
  },
  {
    name: 'hooks and core.hooksPath',
    config: '[core]\n\thooksPath = .git/hooks-elsewhere',
    setup: (d) => (hooks(join(d, '.git', 'hooks')), hooks(join(d, '.git', 'hooks-elsewhere'))),
    control: ['commit', '-q', '--allow-empty', '-m', 'x'],
  },
  {
    name: 'core.sshCommand, core.gitProxy, protocol.ext, remote helpers',
    config:
      '[core]\n\tsshCommand = PAYLOAD\n\tgitProxy = PAYLOAD\n[protocol "ext"]\n\tallow = always\n[remote "origin"]\n\turl = ext::PAYLOAD\n\tuploadpack = PAYLOAD\n\tfetch = +refs/heads/*:refs/remotes/origin/*',
  },
  {
    name: 'uploadpack.packObjectsHook, credential.helper, core.askPass, core.alternateRefsCommand',
    config:
      '[uploadpack]\n\tpackObjectsHook = PAYLOAD\n[credential]\n\thelper = !PAYLOAD\n[core]\n\taskPass = PAYLOAD\n\talternateRefsCommand = PAYLOAD\n\teditor = PAYLOAD\n[sequence]\n\teditor = PAYLOAD',
  },
  {
    name: 'alias overriding a command',
    config: '[alias]\n\tlog = !PAYLOAD\n\tcat-file = !PAYLOAD\n\trev-list = !PAYLOAD',
  },
  {
    name: 'include.path and includeIf (cannot be undone by -c)',
    config: '[include]\n\tpath = evil.inc\n[includeIf "gitdir:/"]\n\tpath = evil.inc',
    setup: (d) =>
      writeFileSync(
        join(d, '.git', 'evil.inc'),
        `[log]\n\tshowSignature = true\n[gpg]\n\tprogram = ${payload}\n[core]\n\tfsmonitor = ${payload}\n\tpager = ${payload}\n`,
      ),
    control: ['status', '--short'],
  },
];

/** Builds the case's repository (history from makeRepo), its git dir hostile. */
async function build(c: Case, k: number): Promise<{ repo: string; narHash: string }> {
  const work = makeRepo(join(tmp, `case${k}`), 3);
  // The expectation, from real git before the configuration turns hostile (HEAD's tree never changes below).
  const narHash = formatHash((await hashPath(exportCommit(work, 'HEAD', join(tmp, `x${k}`)))).hash, 'sri');
  c.setup?.(work);
  let repo = work;
  if (c.bare) {
    repo = join(tmp, `case${k}-evil.git`);
    const r = spawnSync('git', ['clone', '-q', '--bare', work, repo]);
    assert.equal(r.status, 0, String(r.stderr));
  }
  const gitDir = c.bare ? repo : join(repo, '.git');
  const cfg = join(gitDir, 'config');
  writeFileSync(
    cfg,
    `${spawnSync('cat', [cfg], { encoding: 'utf8' }).stdout}\n${c.config.replaceAll('PAYLOAD', payload)}\n`,
  );
  if (c.name.startsWith('log.showSignature')) signedCommit(repo);
  return { repo, narHash };
}

test(
  'a hostile repository configuration runs nothing: lock verify, find-rev, provenance, LSP code lens (real git)',
  { skip },
  async () => {
    writeFileSync(payload, `#!/bin/sh\necho "$0 $*" >> ${MARKER}\nexit 1\n`);
    chmodSync(payload, 0o755);
    for (const [k, c] of CASES.entries()) {
      const { repo, narHash } = await build(c, k);
      if (c.control) {
        spawnSync('git', ['-C', repo, ...c.control], {
          encoding: 'utf8',
          input: '',
          env: {
            ...process.env,
            GIT_AUTHOR_NAME: 't',
            GIT_AUTHOR_EMAIL: 't@t',
            GIT_COMMITTER_NAME: 't',
            GIT_COMMITTER_EMAIL: 't@t',
          },
        });
        assert.ok(
          existsSync(MARKER),
          `${c.name}: control \`git ${c.control.join(' ')}\` should run the payload`,
        );
        rmSync(MARKER);
      }
      assert.ok((await listCommits(repo, 10)).length >= 4, c.name);
      const head = await resolveCommit(repo, 'HEAD');
      const lockFile = join(tmp, `case${k}.lock`);
      writeFileSync(
        lockFile,
        lockFor({
          src: {
            locked: { type: 'git', url: `file://${repo}`, rev: head.oid, lastModified: head.time, narHash },
            original: { type: 'git' },
          },
        }),
      );
      const v = await runCommand(lockCommand, ['verify', '--lock', lockFile, 'src', '--git', repo]);
      assert.equal(v.code, 0, `${c.name}: ${v.out}${v.err}`);
      const f = await runCommand(lockCommand, ['find-rev', '--lock', lockFile, 'src', '--repo', repo]);
      assert.equal(f.code, 0, `${c.name}: ${f.out}${f.err}`);
      await resolveCommit(repo, 'HEAD~1');
      const lock = parseFlakeLock(spawnSync('cat', [lockFile], { encoding: 'utf8' }).stdout);
      const r = await verifyInput(lock, 'src', { lockDir: tmp, followLocked: () => true });
      assert.equal(r.match, true, c.name);
      assert.ok(
        !existsSync(MARKER),
        `${c.name}: nixboot ran the payload: ${existsSync(MARKER) ? spawnSync('cat', [MARKER], { encoding: 'utf8' }).stdout : ''}`,
      );
    }
    // The journey through the language server: a workspace holding flake.lock and evil.git,
    // one click on the code lens (nixboot/lock/verify with the lock's own git+file URL).
    if (!existsSync(SERVER)) assert.fail(`${SERVER} is missing: run npm run build`);
    const ws = join(tmp, 'workspace');
    mkdirSync(ws);
    const { repo: src, narHash } = await build(CASES[0]!, 99);
    spawnSync('mv', [src, join(ws, 'evil.git')]);
    const head = await resolveCommit(join(ws, 'evil.git'), 'HEAD');
    const lockFile = join(ws, 'flake.lock');
    const text = lockFor({
      evil: {
        locked: { type: 'git', url: 'git+file://evil.git', rev: head.oid, narHash },
        original: { type: 'git' },
      },
    });
    writeFileSync(lockFile, text);
    const client = new LspClient(nixEnv());
    try {
      await client.initialize(ws);
      const uri = pathToFileURL(lockFile).href;
      await client.conn.sendNotification('textDocument/didOpen', {
        textDocument: { uri, languageId: 'json', version: 1, text },
      });
      const lenses = (await client.conn.sendRequest('textDocument/codeLens', { textDocument: { uri } })) as {
        command: { command: string; arguments: unknown[] };
      }[];
      const verify = lenses.find((l) => l.command.command === 'nixboot.lock.verify')!;
      const [lf, input] = verify.command.arguments as [string, string];
      const r = (await client.conn.sendRequest('nixboot/lock/verify', { lockFile: lf, input })) as {
        match: boolean;
        hashed: string;
      };
      assert.equal(r.match, true, 'evil.git inside the workspace is read (as data)');
      assert.ok(!existsSync(MARKER), 'the code lens ran the payload');
    } finally {
      await client.close();
    }
  },
);

test(
  'packed repositories (deltas, aggressive gc) hash as loose ones, without git (real git)',
  { skip },
  async () => {
    const loose = makeRepo(join(tmp, 'loose'), 12);
    const packed = join(tmp, 'packed');
    assert.equal(spawnSync('git', ['clone', '-q', '--mirror', loose, packed]).status, 0);
    git(packed, ['gc', '-q', '--aggressive', '--prune=now']);
    assert.ok(readdirSync(join(packed, 'objects', 'pack')).some((n) => n.endsWith('.pack')));
    assert.deepEqual(
      readdirSync(join(packed, 'objects')).filter((n) => /^[0-9a-f]{2}$/.test(n)),
      [],
      'no loose objects left',
    );
    const a = await listCommits(loose, 100);
    const b = await listCommits(packed, 100);
    assert.deepEqual(b.map((c) => c.oid).sort(), a.map((c) => c.oid).sort());
    const gitOrder = git(loose, ['log', '--all', '--format=%H %ct'])
      .trim()
      .split('\n')
      .map((l) => Number(l.split(' ')[1]));
    assert.deepEqual(
      a.map((c) => c.time),
      gitOrder,
      'newest first, as git log --all',
    );
    const ha = new GitTreeHasher(new GitObjectReader(loose));
    const hb = new GitTreeHasher(new GitObjectReader(packed));
    for (const c of a) {
      const want = formatHash((await hashPath(exportCommit(loose, c.oid, join(tmp, 'xp')))).hash, 'sri');
      assert.equal(formatHash((await ha.hashTree(c.tree)).hash, 'sri'), want, `loose ${c.subject}`);
      assert.equal(formatHash((await hb.hashTree(c.tree)).hash, 'sri'), want, `packed ${c.subject}`);
    }
    ha.reader.close();
    hb.reader.close();
    for (const [rev, want] of [
      ['HEAD', 'HEAD'],
      ['main~2', 'main~2'],
      ['side^', 'side^'],
      [a[0]!.oid.slice(0, 8), a[0]!.oid],
    ] as const) {
      assert.equal(
        (await resolveCommit(packed, rev)).oid,
        git(loose, ['rev-parse', `${want}^{commit}`]).trim(),
        rev,
      );
    }
    await assert.rejects(resolveCommit(packed, '--upload-pack=x'), /invalid revision/);
    await assert.rejects(resolveCommit(packed, 'nope'), /not found/);
    // a corrupted pack gives an error, not a wrong hash or a crash
    const pack = readdirSync(join(packed, 'objects', 'pack')).find((n) => n.endsWith('.pack'))!;
    const bytes = spawnSync('cat', [join(packed, 'objects', 'pack', pack)], { encoding: 'buffer' }).stdout;
    for (let i = 200; i < bytes.length - 40; i += 97) bytes[i] ^= 0x5a;
    writeFileSync(join(packed, 'objects', 'pack', pack), bytes);
    const hc = new GitTreeHasher(new GitObjectReader(packed));
    await assert.rejects(
      hc.hashTree(a[0]!.tree),
      /corrupt|match|malformed|declared|delta|unknown|outside|not a/,
    );
    hc.reader.close();
  },
);

test(
  "a lock's own locked.url / locked.path is read only when named (CLI) or inside the workspace (LSP)",
  { skip },
  async () => {
    assert.equal(fileUrlPath('git+file:///srv/r.git?ref=main'), '/srv/r.git');
    assert.equal(fileUrlPath('git+file://evil.git'), 'evil.git');
    assert.equal(fileUrlPath('file://localhost/a%20b'), '/a b');
    const outside = makeRepo(join(tmp, 'outside'), 2);
    const head = (await listCommits(outside, 1))[0]!;
    const narHash = formatHash(
      (await hashPath(exportCommit(outside, head.oid, join(tmp, 'xo')))).hash,
      'sri',
    );
    const ws = join(tmp, 'ws2');
    mkdirSync(ws);
    const lockFile = join(ws, 'flake.lock');
    const text = lockFor({
      far: {
        locked: { type: 'git', url: `git+file://${outside}`, rev: head.oid, narHash },
        original: { type: 'git' },
      },
      dir: { locked: { type: 'path', path: join(tmp, 'xo'), narHash }, original: { type: 'path' } },
    });
    writeFileSync(lockFile, text);
    // CLI: refused with the command that names it; naming it works.
    for (const input of ['far', 'dir']) {
      const r = await runCommand(lockCommand, ['verify', '--lock', lockFile, input]);
      assert.equal(r.code, 2, r.out + r.err);
      assert.match(
        r.err,
        /is locked to .* not read unless you name it; to read it, name it: nixboot lock verify/,
      );
    }
    assert.equal(
      (await runCommand(lockCommand, ['verify', '--lock', lockFile, 'far', '--git', outside])).code,
      0,
    );
    assert.equal(
      (await runCommand(lockCommand, ['verify', '--lock', lockFile, 'dir', join(tmp, 'xo')])).code,
      0,
    );
    // LSP: outside the workspace folders → needsCheckout (the client asks for the folder).
    const client = new LspClient(nixEnv());
    try {
      await client.initialize(ws);
      await assert.rejects(
        client.conn.sendRequest('nixboot/lock/verify', { lockFile, input: 'far' }),
        /needsCheckout: .*outside the workspace/,
      );
      await assert.rejects(
        client.conn.sendRequest('nixboot/lock/verify', { lockFile, input: 'dir' }),
        /needsCheckout: .*outside the workspace/,
      );
      const named = (await client.conn.sendRequest('nixboot/lock/verify', {
        lockFile,
        input: 'far',
        gitRepo: outside,
      })) as { match: boolean };
      assert.equal(named.match, true);
    } finally {
      await client.close();
    }
    // A symlink inside the workspace that leads outside is outside.
    spawnSync('ln', ['-s', outside, join(ws, 'link')]);
    writeFileSync(
      lockFile,
      lockFor({
        far: {
          locked: { type: 'git', url: 'git+file:link', rev: head.oid, narHash },
          original: { type: 'git' },
        },
      }),
    );
    const c2 = new LspClient(nixEnv());
    try {
      await c2.initialize(ws);
      await assert.rejects(
        c2.conn.sendRequest('nixboot/lock/verify', { lockFile, input: 'far' }),
        /needsCheckout: .*outside the workspace/,
      );
    } finally {
      await c2.close();
    }
  },
);
