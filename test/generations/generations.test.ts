import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { runCli } from '../../server/src/cli/main';
import { capture } from '../cliCapture';
import { readGenerations } from '../../server/src/system/generations';
import { bootBudget, generationWarnings } from '../../server/src/system/bootBudget';
import { diffClosures, parseStoreName } from '../../server/src/system/closure';
import { makeNixosProfile, type NixosProfile } from '../fixtures/nixosProfile';
import { nixEnv, skipUnless } from '../nixEnv';

const skip = skipUnless('nix-build', 'nix-env', 'nix', 'cpio', 'zstd');
let dir: string;
let sys: NixosProfile;

before(async () => {
  if (skip) return;
  process.env.NIX_CONFIG = nixEnv().NIX_CONFIG;
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nixboot-gen-'));
  sys = await makeNixosProfile({
    dir,
    generations: [
      {
        nixosVersion: '24.05.20240101.aaaaaaa',
        kernelVersion: '6.6.8',
        packages: { sed: '4.9', hello: '2.12', zlib: '1.3' },
        configurationRevision: 'rev1',
      },
      {
        nixosVersion: '24.05.20240202.bbbbbbb',
        kernelVersion: '6.6.9',
        kernelBytes: 8192,
        packages: { sed: '4.9', hello: '2.12.1', zlib: '1.3' },
        kernelParams: ['quiet'],
        specialisations: { rescue: ['systemd.unit=rescue.target'] },
      },
      {
        nixosVersion: '24.05.20240303.ccccccc',
        kernelVersion: '6.6.9',
        kernelBytes: 8192,
        packages: { sed: '4.9', hello: '2.12.1', curl: '8.5.0' },
        kernelParams: ['quiet'],
      },
      {
        nixosVersion: '24.11.20241111.ddddddd',
        kernelVersion: '6.12.1',
        kernelBytes: 12288,
        initrdBytes: 9000,
        packages: { sed: '4.9', 'sed-key': '1.0', hello: '2.12.1', curl: '8.5.0' },
        bootspec: false,
        specialisations: { gaming: ['mitigations=off'] },
      },
    ],
    current: 4,
    booted: 2,
    boot: { loader: 'systemd-boot', keep: 3 },
  });
});
after(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

test('every column matches what was built (real nix)', { skip }, () => {
  const r = readGenerations({ root: sys.root });
  assert.deepEqual(
    r.generations.map((g) => g.generation),
    [1, 2, 3, 4],
  );
  for (const [i, g] of r.generations.entries()) {
    const b = sys.generations[i]!;
    assert.equal(g.storePath, b.toplevel);
    assert.equal(g.exists, true);
    assert.equal(g.nixosVersion, b.spec.nixosVersion);
    assert.equal(g.kernelVersion, b.spec.kernelVersion);
    assert.equal(g.configurationRevision, b.spec.configurationRevision || undefined);
    assert.equal(g.kernel?.path, b.kernel);
    assert.equal(g.kernel?.size, b.kernelSize);
    assert.equal(g.initrd?.path, b.initrd);
    assert.equal(g.initrd?.size, b.initrdSize);
    assert.equal(g.init, `${b.toplevel}/init`);
    assert.deepEqual(g.kernelParams, [`init=${b.toplevel}/init`, ...(b.spec.kernelParams ?? [])]);
    assert.deepEqual(g.specialisations, Object.keys(b.spec.specialisations ?? {}).sort());
    assert.equal(g.source, b.spec.bootspec === false ? 'toplevel' : 'bootspec');
    assert.equal(g.current, g.generation === 4);
    assert.equal(g.booted, g.generation === 2);
    assert.equal(g.default, g.generation === 4);
    assert.equal(g.bootEntry, g.generation !== 1);
    const st = fs.lstatSync(g.link, { bigint: true });
    const ns = st.birthtimeNs > 0n ? st.birthtimeNs : st.ctimeNs;
    assert.equal(g.date, new Date(Number(ns / 1_000_000n)).toISOString());
  }
  assert.equal(r.generations[0]!.label, 'NixOS 24.05.20240101.aaaaaaa (Linux 6.6.8)');
  assert.equal(r.generations[3]!.label, undefined);
  assert.equal(r.boot.loader, 'systemd-boot');
  assert.equal(r.boot.defaultGeneration, 4);
});

test(
  '/boot budget counts shared kernel/initrd copies once and matches the files in EFI/nixos (real nix)',
  { skip },
  () => {
    const r = readGenerations({ root: sys.root });
    const b = bootBudget(r);
    const efi = path.join(sys.root, 'boot', 'EFI', 'nixos');
    const onDisk = fs.readdirSync(efi).reduce((s, f) => s + fs.statSync(path.join(efi, f)).size, 0);
    assert.equal(b.copies, true);
    assert.equal(b.usedByGenerations, onDisk);
    assert.equal(b.entries, 3);
    const g4 = sys.generations[3]!;
    assert.equal(b.nextGenerationBytes, g4.kernelSize + g4.initrdSize);
    assert.ok(b.freeBytes !== undefined && b.freeBytes > 0);
    assert.equal(b.roomFor, Math.floor(b.freeBytes! / b.nextGenerationBytes));
    // Every file the entries load was found in /boot: the total count is known too.
    assert.equal(b.fits, Math.floor((onDisk + b.freeBytes!) / b.nextGenerationBytes));
    // Generations 2 and 3 share kernel and initrd: neither owns those bytes.
    assert.equal(sys.generations[1]!.kernel, sys.generations[2]!.kernel);
    const g2 = sys.generations[1]!;
    const g3 = sys.generations[2]!;
    assert.equal(b.perGeneration[1]!.ownBytes, g2.initrd === g3.initrd ? 0 : g2.initrdSize);
    assert.equal(b.perGeneration[1]!.bytes, g2.kernelSize + g2.initrdSize);
    assert.equal(b.perGeneration[3]!.ownBytes, g4.kernelSize + g4.initrdSize);
    const w = generationWarnings(r, b).map((x) => x.kind);
    assert.deepEqual(w, ['fewer-entries']);
    // initrd secrets are appended to the ESP copy: the budget measures the copies.
    const copy = path.join(
      efi,
      fs.readdirSync(efi).find((f) => f.includes('initrd-linux-6.12.1'))!,
    );
    fs.chmodSync(copy, 0o644);
    fs.appendFileSync(copy, Buffer.alloc(5000, 1));
    assert.equal(bootBudget(readGenerations({ root: sys.root })).usedByGenerations, onDisk + 5000);
  },
);

test('CLI: table, JSON, diff and find against the built closures (real nix)', { skip }, async () => {
  let io = capture();
  assert.equal(await runCli(['generations', '--root', sys.root], io), 0, io.stderr());
  const lines = io.stdout().split('\n');
  assert.match(
    lines[0]!,
    /^GEN\s+DATE\s+NIXOS\s+KERNEL\s+KERNEL SIZE\s+INITRD SIZE\s+SPECIALISATIONS\s+FLAGS$/,
  );
  assert.match(
    lines[1]!,
    /^1\s+\S+ \S+\s+24\.05\.20240101\.aaaaaaa\s+6\.6\.8\s+4\.0 KiB\s+\d+ B\s+-\s+no-entry$/,
  );
  assert.match(lines[2]!, /^2\s.*6\.6\.9\s+8\.0 KiB\s.*rescue\s+booted$/);
  assert.match(
    lines[4]!,
    /^4\s.*24\.11\.20241111\.ddddddd\s+6\.12\.1\s+12\.0 KiB\s.*gaming\s+current,default$/,
  );
  assert.match(io.stdout(), /warning: The boot loader has 3 entries for 4 generations/);

  io = capture();
  assert.equal(await runCli(['generations', '--root', sys.root, '--json'], io), 0);
  const json = JSON.parse(io.stdout()) as {
    generations: Array<{
      generation: number;
      nixosVersion: string;
      kernelVersion: string;
      specialisations: string[];
      current: boolean;
    }>;
  };
  assert.deepEqual(
    json.generations.map((g) => g.kernelVersion),
    ['6.6.8', '6.6.9', '6.6.9', '6.12.1'],
  );

  io = capture();
  assert.equal(
    await runCli(['generations', 'diff', '1', '3', '--root', sys.root, '--json'], io),
    0,
    io.stderr(),
  );
  const d = JSON.parse(io.stdout()) as {
    changes: Array<{ pname: string; kind: string; before: string[]; after: string[] }>;
  };
  const by = Object.fromEntries(d.changes.map((c) => [c.pname, c]));
  assert.deepEqual([by.hello?.kind, by.hello?.before, by.hello?.after], ['changed', ['2.12'], ['2.12.1']]);
  assert.deepEqual([by.curl?.kind, by.curl?.after], ['added', ['8.5.0']]);
  assert.deepEqual([by.zlib?.kind, by.zlib?.before], ['removed', ['1.3']]);
  assert.deepEqual([by.linux?.before, by.linux?.after], [['6.6.8'], ['6.6.9']]);
  assert.equal(by.sed, undefined);

  io = capture();
  assert.equal(
    await runCli(['generations', 'diff', 'booted', 'current', '--root', sys.root], io),
    0,
    io.stderr(),
  );
  assert.match(io.stdout(), /Generation 2 → 4/);
  assert.match(io.stdout(), /Added \(\d+\):\n(.|\n)*sed-key\s+1\.0/);

  io = capture();
  assert.equal(await runCli(['generations', 'find', 'sed-key', '--root', sys.root], io), 0, io.stderr());
  assert.deepEqual(
    io
      .stdout()
      .trim()
      .split('\n')
      .map((l) => l.split('\t')[0]),
    ['4'],
  );
  assert.match(io.stdout(), /^4\t\/nix\/store\/[a-z0-9]{32}-sed-key-1\.0\n$/);
  io = capture();
  assert.equal(await runCli(['generations', 'find', 'nothing-like-this', '--root', sys.root], io), 1);
  io = capture();
  assert.equal(await runCli(['generations', 'diff', '1', '99', '--root', sys.root], io), 2);
  assert.match(io.stderr(), /no generation '99'/);
});

test(
  'GRUB: entries matched by toplevel; no copies when /boot is on the store file system (real nix)',
  { skip },
  async () => {
    const d2 = fs.mkdtempSync(path.join(os.tmpdir(), 'nixboot-gen-grub-'));
    try {
      const s = await makeNixosProfile({
        dir: d2,
        generations: [
          { nixosVersion: '23.11.1.a', kernelVersion: '6.1.1' },
          { nixosVersion: '23.11.2.b', kernelVersion: '6.1.2' },
        ],
        boot: { loader: 'grub', keep: 1 },
      });
      const r = readGenerations({ root: s.root });
      assert.equal(r.boot.loader, 'grub');
      assert.deepEqual(
        r.generations.map((g) => g.bootEntry),
        [false, true],
      );
      const b = bootBudget(r);
      // The fixture's /boot and its store symlink live on different file systems only if tmp is split; compare with stat.
      const same = fs.statSync(path.join(s.root, 'boot')).dev === fs.statSync('/nix/store').dev;
      assert.equal(b.copies, !same);
    } finally {
      fs.rmSync(d2, { recursive: true, force: true });
    }
  },
);

test('closure diff by package name and store-name parsing', () => {
  assert.deepEqual(parseStoreName('/nix/store/00000000000000000000000000000000-hello-2.12.1'), {
    pname: 'hello',
    version: '2.12.1',
  });
  assert.deepEqual(parseStoreName('/nix/store/00000000000000000000000000000000-source'), {
    pname: 'source',
    version: '',
  });
  assert.deepEqual(parseStoreName('/nix/store/00000000000000000000000000000000-python3.11-foo-1.0'), {
    pname: 'python3.11-foo',
    version: '1.0',
  });
  const h = (n: string) => `/nix/store/${'1'.repeat(32)}-${n}`;
  const g = (n: string) => `/nix/store/${'2'.repeat(32)}-${n}`;
  const d = diffClosures(
    [
      { path: h('a-1.0'), narSize: 100 },
      { path: h('b-2'), narSize: 50 },
      { path: h('c-1'), narSize: 10 },
    ],
    [
      { path: g('a-1.1'), narSize: 150 },
      { path: g('c-1'), narSize: 10 },
      { path: g('d-0.1'), narSize: 7 },
    ],
  );
  assert.deepEqual(
    d.changes.map((c) => [c.pname, c.kind, c.sizeDelta]),
    [
      ['a', 'changed', 50],
      ['b', 'removed', -50],
      ['d', 'added', 7],
    ],
  );
  assert.equal(d.sizeBefore, 160);
  assert.equal(d.sizeAfter, 167);
});
