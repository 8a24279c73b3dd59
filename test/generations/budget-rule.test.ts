// boot-partition-budget against a real system: generations built with the real Nix
// (test/fixtures/nixosProfile.ts: plain derivations, nix-env profile, systemd-boot copies in /boot)
// on a 16 MiB tmpfs mounted as the fixture's /boot, so free space, copies and kernel sizes are all
// measured, none given. The CLI (`nixboot lint --root`), the language server (diagnostics and the ⚠
// on the configurationLimit lens) and the measurement itself are checked against each other.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { runCli } from '../../server/src/cli/main';
import { capture } from '../cliCapture';
import { readGenerations } from '../../server/src/system/generations';
import { measuredSystem } from '../../server/src/system/bootBudget';
import { makeNixosProfile, type NixosProfile } from '../fixtures/nixosProfile';
import { LspClient } from '../lsp/client';
import { nixEnv, skipUnless } from '../nixEnv';

/** Mounting the small /boot needs root; under CI=true a missing capability fails instead of skipping. */
function rootOnly(): string | false {
  if (process.getuid?.() === 0) return false;
  if (process.env.CI === 'true')
    throw new Error('budget-rule.test.ts mounts a tmpfs as /boot: CI runs as root');
  return 'needs root (mounts a 16 MiB tmpfs as the fixture /boot)';
}

const skip = skipUnless('nix-build', 'nix-env', 'nix', 'cpio', 'zstd', 'mount', 'umount') || rootOnly();
const MiB = 1024 * 1024;
let dir: string;
let boot: string;
let mounted = false;
let sys: NixosProfile;

before(async () => {
  if (skip) return;
  process.env.NIX_CONFIG = nixEnv().NIX_CONFIG;
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nixboot-budget-'));
  boot = path.join(dir, 'root', 'boot');
  fs.mkdirSync(boot, { recursive: true });
  const m = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=16m,mode=0755', 'nixboot-test-boot', boot], {
    encoding: 'utf8',
  });
  assert.equal(m.status, 0, `mount tmpfs: ${m.stderr}`);
  mounted = true;
  // Three kernel updates: each generation brings its own 3 MiB kernel (and a small zstd initrd).
  sys = await makeNixosProfile({
    dir,
    hostName: 'budgethost',
    generations: [
      { nixosVersion: '25.11.20251101.aaaaaaa', kernelVersion: '6.12.1', kernelBytes: 3 * MiB },
      { nixosVersion: '25.11.20251115.bbbbbbb', kernelVersion: '6.12.2', kernelBytes: 3 * MiB },
      { nixosVersion: '25.11.20251201.ccccccc', kernelVersion: '6.12.3', kernelBytes: 3 * MiB },
    ],
    boot: { loader: 'systemd-boot' },
  });
});
after(() => {
  if (mounted) spawnSync('umount', [boot]);
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

const config = (limit: string | undefined, host = 'budgethost', extra = '') =>
  [
    '{ ... }:',
    '{',
    `  networking.hostName = "${host}";`,
    '  boot.loader.systemd-boot.enable = true;',
    ...(extra ? [extra] : []),
    ...(limit !== undefined ? [`  boot.loader.systemd-boot.configurationLimit = ${limit};`] : []),
    '}',
    '',
  ].join('\n');

interface JsonFinding {
  rule: string;
  severity: string;
  message: string;
  range: { start: { line: number; character: number } };
}

async function lint(
  text: string,
  ...args: string[]
): Promise<{ status: number; findings: JsonFinding[]; stderr: string }> {
  const cfg = fs.mkdtempSync(path.join(dir, 'cfg-'));
  fs.writeFileSync(path.join(cfg, 'configuration.nix'), text);
  const io = capture();
  const status = await runCli(['lint', '--format', 'json', ...args, cfg], io);
  const findings =
    status === 2
      ? []
      : (JSON.parse(io.stdout()) as { findings: JsonFinding[] }).findings.filter(
          (f) => f.rule === 'boot-partition-budget',
        );
  return { status, findings, stderr: io.stderr() };
}

test('the measurement of a real system on a 16 MiB /boot (real nix, tmpfs)', { skip }, () => {
  const m = measuredSystem(readGenerations({ root: sys.root }));
  const b = m.budget;
  const st = fs.statfsSync(boot);
  const free = Number(st.bavail) * Number(st.bsize);
  const newest = sys.generations[2]!;
  assert.equal(m.toplevelName, path.basename(newest.toplevel).slice(33));
  assert.match(m.toplevelName!, /^nixos-system-budgethost-25\.11\.20251201\.ccccccc$/);
  assert.deepEqual([m.generations, m.newestHasEntry, m.bootMountPoint], [3, true, '/boot']);
  assert.deepEqual([b.loader, b.copies, b.entries], ['systemd-boot', true, 3]);
  const copies = sys.generations.reduce((s, g) => s + g.kernelSize + g.initrdSize, 0);
  assert.equal(b.usedByGenerations, copies);
  assert.equal(b.freeBytes, free);
  assert.equal(b.nextGenerationBytes, newest.kernelSize + newest.initrdSize);
  assert.equal(b.roomFor, Math.floor(free / b.nextGenerationBytes));
  assert.equal(b.fits, Math.floor((copies + free) / b.nextGenerationBytes));
  // 16 MiB hold five 3 MiB generations; three are there, two more fit.
  assert.deepEqual([b.fits, b.roomFor], [5, 2]);
});

test(
  'nixboot lint --root: the rule judges the configuration against the measured /boot (real nix, tmpfs)',
  { skip },
  async () => {
    const root = ['--root', sys.root];
    let r = await lint(config('10'), ...root);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.findings.length, 1, JSON.stringify(r.findings));
    assert.deepEqual(
      [r.findings[0]!.severity, r.findings[0]!.range.start],
      ['warning', { line: 4, character: 48 }],
    );
    assert.match(
      r.findings[0]!.message,
      /^configurationLimit = 10 lets systemd-boot keep 10 generations in \/boot, but \/boot holds about 5 generations of the current size \(3\.0 MiB kernel \+ initrd each; 1[56]\.\d MiB for copies: 9\.0 MiB in use, [67]\.\d MiB free\)\..* Keep at most 5,/,
    );

    // The same limit that fits: nothing. No limit at all: two more generations of this size fit.
    assert.deepEqual((await lint(config('5'), ...root)).findings, []);
    r = await lint(config(undefined), ...root);
    assert.equal(r.findings.length, 1);
    assert.equal(r.findings[0]!.range.start.line, 3);
    assert.match(
      r.findings[0]!.message,
      /^systemd-boot has no configurationLimit: it keeps the kernel and initrd of every generation in the profile \(3 now\) in \/boot, and its free space holds only 2 more of the current size/,
    );

    // Severities and switches as for every rule; an ignore comment; another host; no measurement.
    r = await lint(config('10'), ...root, '--rule', 'boot-partition-budget=error');
    assert.deepEqual([r.status, r.findings.map((f) => f.severity)], [1, ['error']]);
    assert.deepEqual((await lint(config('10'), ...root, '--rule', 'boot-partition-budget=off')).findings, []);
    assert.deepEqual(
      (await lint(config('10', 'budgethost', '  # nixboot: ignore boot-partition-budget'), ...root)).findings,
      [],
    );
    assert.deepEqual((await lint(config('10', 'otherhost'), ...root)).findings, []);
    assert.deepEqual((await lint(config('10'))).findings, []);

    // --fix leaves it alone (it would remove boot entries at the next rebuild).
    const cfg = fs.mkdtempSync(path.join(dir, 'fix-'));
    fs.writeFileSync(path.join(cfg, 'configuration.nix'), config('10'));
    assert.equal(await runCli(['lint', '--fix', ...root, cfg], capture()), 0);
    assert.equal(fs.readFileSync(path.join(cfg, 'configuration.nix'), 'utf8'), config('10'));

    // A root with no system profile is a clear error, not a silent pass.
    const bad = await lint(config('10'), '--root', path.join(dir, 'nothing-here'));
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /--root .*nothing-here: cannot read the profile directory/);
  },
);

test(
  'language server: the diagnostic and the ⚠ on the configurationLimit lens come from the same rule (real nix, tmpfs)',
  { skip },
  async () => {
    const ws = fs.mkdtempSync(path.join(dir, 'ws-'));
    const client = new LspClient(nixEnv());
    try {
      await client.initialize(ws, { systemRoot: sys.root });
      const uri = pathToFileURL(path.join(ws, 'configuration.nix')).href;
      await client.open(uri, config('10'));
      const diags = await client.waitForDiagnostics(uri, (d) =>
        d.some((x) => x.code === 'boot-partition-budget'),
      );
      const d = diags.find((x) => x.code === 'boot-partition-budget')!;
      assert.equal(d.range.start.line, 4);
      const lenses = (await client.conn.sendRequest('textDocument/codeLens', {
        textDocument: { uri },
      })) as Array<{ range: { start: { line: number } }; command?: { title: string; tooltip?: string } }>;
      const lens = lenses.find((l) => l.range.start.line === 4);
      assert.equal(lens?.command?.title, '⚠ 3 generations, 3 entries in /boot, room for 2 more');
      assert.equal(lens?.command?.tooltip, d.message);
    } finally {
      await client.close();
    }
  },
);
