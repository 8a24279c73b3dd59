import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { provenanceCommand } from '../../server/src/cli/provenance';
import { parseDerivation } from '../../server/src/nar/derivation';
import { formatHash } from '../../server/src/nar/encoding';
import { hashPath } from '../../server/src/nar/nar';
import { listCommits } from '../../server/src/system/git';
import { parsePathInfoJson, storePathWithin, toStorePath } from '../../server/src/system/store';
import { runCommand } from '../nar/cliHelper';
import { nixEnv, skipUnless } from '../nixEnv';
import { exportCommit, lockFor, makeRepo } from './gitRepo';

const tmp = mkdtempSync(join(tmpdir(), 'nixboot-chain-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

test('path-info JSON: array and object shapes', () => {
  const a = parsePathInfoJson(
    '[{"path":"/nix/store/aaa-x","narHash":"sha256-x","narSize":4,"references":["/nix/store/bbb-y"],"deriver":"/nix/store/ccc-x.drv"}]',
  );
  const o = parsePathInfoJson(
    '{"/nix/store/aaa-x":{"narHash":"sha256-x","narSize":4,"references":["bbb-y"],"deriver":"ccc-x.drv"},"/nix/store/ddd-z":null}',
  );
  assert.deepEqual(a[0], o[0]);
  assert.equal(o[1]!.valid, false);
  assert.throws(() => parsePathInfoJson('3'));
});

test('derivation parser handles escapes and fixed outputs', () => {
  const d = parseDerivation(
    'Derive([("out","/nix/store/a-src","r:sha256","00ff")],[("/nix/store/b.drv",["out","dev"])],["/nix/store/c-source"],"x86_64-linux","/bin/sh",["-c","echo \\"hi\\"\\n"],[("name","src"),("out","/nix/store/a-src")])',
  );
  assert.equal(d.outputs.out!.hashAlgo, 'r:sha256');
  assert.deepEqual(d.inputDrvs['/nix/store/b.drv'], ['out', 'dev']);
  assert.equal(d.args[1], 'echo "hi"\n');
  assert.throws(() => parseDerivation('Derive([("out"'), /unterminated|expected/);
});

test('toStorePath finds the store path of files inside it', () => {
  assert.deepEqual(toStorePath('/nix/store/8fjk60yd2vk9gpag8i5pl7dk2lvs8v2f-sed-key-0.1.0/bin/sed-key'), {
    storePath: '/nix/store/8fjk60yd2vk9gpag8i5pl7dk2lvs8v2f-sed-key-0.1.0',
    sub: '/bin/sed-key',
  });
  assert.equal(toStorePath('/usr/bin/env'), undefined);
  assert.equal(toStorePath('/nix/store/short-name'), undefined);
});

test('storePathWithin finds the store path named inside a path that is not on this machine, following nothing', () => {
  const sp = '/nix/store/8fjk60yd2vk9gpag8i5pl7dk2lvs8v2f-sed-key-0.1.0';
  // A file inside an initrd (the initrd: URI's path), and one under another prefix.
  assert.deepEqual(storePathWithin(`${sp}/bin/sed-key`), { storePath: sp, sub: '/bin/sed-key' });
  assert.deepEqual(storePathWithin(`/sysroot${sp}`), { storePath: sp, sub: '' });
  // The first /nix/store/ that names a valid store path counts.
  assert.deepEqual(storePathWithin(`/nix/store/not-a-hash${sp}/lib`), { storePath: sp, sub: '/lib' });
  // The image's /etc/… is not this machine's: it is never followed into the host's store.
  assert.equal(storePathWithin('/etc/os-release'), undefined);
  assert.equal(storePathWithin('/init'), undefined);
  assert.equal(storePathWithin('/nix/store/short-name'), undefined);
});

test(
  'provenance: binary → store path → deriver → source → flake.lock input → git commit (real nix, real git)',
  { skip: skipUnless('nix-build', 'git', 'tar') },
  async () => {
    const repo = makeRepo(join(tmp, 'repo'), 8);
    const commits = await listCommits(repo, 100);
    const target = commits.find((c) => c.subject === 'commit 5')!;
    const src = exportCommit(repo, target.oid, join(tmp, 'src'));
    const narHash = formatHash((await hashPath(src)).hash, 'sri');
    writeFileSync(
      join(tmp, 'default.nix'),
      `let src = builtins.path { path = ${src}; name = "source"; }; in
derivation { name = "sed-key-0.1.0"; system = builtins.currentSystem; builder = "/bin/sh"; inherit src;
  marker = "${tmp}";
  args = ["-c" "PATH=/usr/bin:/bin; mkdir -p $out/bin && cp $src/run.sh $out/bin/sed-key"]; }`,
    );
    const built = spawnSync('nix-build', ['--no-out-link', join(tmp, 'default.nix')], {
      env: nixEnv(),
      encoding: 'utf8',
    });
    assert.equal(built.status, 0, built.stderr);
    const out = built.stdout.trim();
    const lockFile = join(tmp, 'flake.lock');
    writeFileSync(
      lockFile,
      lockFor({
        'sed-key-src': {
          locked: { type: 'git', url: `file://${repo}`, rev: target.oid, lastModified: target.time, narHash },
          original: { type: 'git' },
        },
      }),
    );
    const r = await runCommand(
      provenanceCommand,
      ['--json', '--lock', lockFile, '--repo', repo, `${out}/bin/sed-key`],
      tmp,
      nixEnv(),
    );
    assert.equal(r.code, 0, r.out + r.err);
    const chain = JSON.parse(r.out) as { links: { kind: string; value: string; ok: boolean }[] };
    const kinds = chain.links.map((l) => l.kind);
    assert.deepEqual(kinds, [
      'file',
      'storePath',
      'pathInfo',
      'deriver',
      'derivation',
      'source',
      'lockInput',
      'commit',
    ]);
    assert.equal(chain.links[1]!.value, out);
    const deriver = spawnSync('nix-store', ['--query', '--deriver', out], {
      env: nixEnv(),
      encoding: 'utf8',
    }).stdout.trim();
    assert.equal(chain.links[3]!.value, deriver);
    assert.equal(chain.links[6]!.value, 'sed-key-src');
    assert.equal(chain.links[7]!.value, target.oid);
    // text rendering shows proofs
    const t = await runCommand(provenanceCommand, ['--lock', lockFile, out], tmp, nixEnv());
    assert.match(t.out, /\$ nix-store --query --deriver/);
    assert.match(t.out, /Git commit \(from the lock\)/);
    const bad = await runCommand(provenanceCommand, ['/usr/bin/env'], tmp, nixEnv());
    assert.equal(bad.code, 2);
    assert.match(bad.err, /not in the Nix store/);
  },
);
