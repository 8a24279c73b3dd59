import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

const CLI = new URL('../../dist/cli.js', import.meta.url).pathname;
const FIXTURES = new URL('../rules/', import.meta.url).pathname;

function nixboot(args: string[], cwd: string) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'nixboot-cli-'));
  cpSync(join(FIXTURES, 'initrd-script-exit', 'bad-seed-001.nix'), join(dir, 'configuration.nix'));
  cpSync(join(FIXTURES, 'gc-deletes-all-generations', 'bad-older-than.nix'), join(dir, 'hosts', 'gc.nix'), {
    recursive: true,
  });
  writeFileSync(join(dir, 'clean.nix'), '{ boot.loader.systemd-boot.configurationLimit = 10; }\n');
  writeFileSync(join(dir, 'README.md'), 'not nix');
});
after(() => rmSync(dir, { recursive: true, force: true }));

test('JSON output: findings with 0-based LSP ranges; exit 1 on an error-severity finding', () => {
  const r = nixboot(
    ['lint', '--format', 'json', '--nixos-release', '25.11', '--rule', 'exit-in-profile-script=off', '.'],
    dir,
  );
  assert.equal(r.code, 1, r.stderr);
  const out = JSON.parse(r.stdout) as {
    findings: Array<{
      file: string;
      rule: string;
      severity: string;
      message: string;
      range: { start: { line: number; character: number }; end: { line: number; character: number } };
    }>;
  };
  const rules = out.findings.map((f) => `${f.file}:${f.rule}:${f.severity}`).sort();
  assert.deepEqual(rules, [
    'configuration.nix:initrd-script-exit:error',
    'hosts/gc.nix:gc-deletes-all-generations:warning',
  ]);
  const exit = out.findings.find((f) => f.rule === 'initrd-script-exit')!;
  assert.deepEqual(exit.range.start, { line: 14, character: 27 });
  assert.deepEqual(exit.range.end, { line: 14, character: 31 });
  for (const f of out.findings)
    assert.deepEqual(Object.keys(f).sort(), ['file', 'message', 'range', 'rule', 'severity']);
});

test('exit 0 when clean, 2 on usage and I/O errors with a one-line message', () => {
  assert.equal(nixboot(['lint', 'clean.nix'], dir).code, 0);
  const missing = nixboot(['lint', 'nope.nix'], dir);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /^nixboot lint: cannot read 'nope.nix'/);
  assert.equal(missing.stderr.trim().split('\n').length, 1);
  assert.equal(nixboot(['lint', '--format', 'xml', '.'], dir).code, 2);
  assert.equal(nixboot(['lint'], dir).code, 2);
  assert.equal(nixboot(['frobnicate'], dir).code, 2);
});

test('SARIF 2.1.0 output for code scanning', () => {
  const r = nixboot(['lint', '--format', 'sarif', '.'], dir);
  assert.equal(r.code, 1);
  const log = JSON.parse(r.stdout);
  assert.equal(log.version, '2.1.0');
  assert.match(log.$schema, /sarif-2\.1\.0/);
  const run = log.runs[0];
  assert.equal(run.tool.driver.name, 'nixboot');
  const ids = run.tool.driver.rules.map((x: { id: string }) => x.id);
  for (const res of run.results) {
    assert.equal(ids[res.ruleIndex], res.ruleId);
    assert.ok(['error', 'warning', 'note'].includes(res.level));
    const loc = res.locations[0].physicalLocation;
    assert.equal(loc.artifactLocation.uriBaseId, '%SRCROOT%');
    assert.ok(loc.region.startLine >= 1 && loc.region.startColumn >= 1);
  }
  const exit = run.results.find((x: { ruleId: string }) => x.ruleId === 'initrd-script-exit');
  assert.equal(exit.locations[0].physicalLocation.artifactLocation.uri, 'configuration.nix');
  assert.deepEqual(
    [
      exit.locations[0].physicalLocation.region.startLine,
      exit.locations[0].physicalLocation.region.startColumn,
    ],
    [15, 28],
  );
});

test('--fix applies the safe fixes in place and reports what is left', () => {
  const r = nixboot(['lint', '--fix', '--nixos-release', '25.11', 'configuration.nix'], dir);
  assert.equal(r.code, 0, r.stdout);
  const text = readFileSync(join(dir, 'configuration.nix'), 'utf8');
  assert.match(text, /echo "zfs load-key zroot; killall zfs; exit" \\\n\s+>> \/root\/\.profile\n/);
  assert.doesNotMatch(r.stdout, /\[initrd-script-exit\]/);
  assert.match(r.stdout, /0 error\(s\)|No findings/);
});

test("explain prints a rule's documentation", () => {
  const r = nixboot(['explain', 'initrd-script-exit'], dir);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /# initrd-script-exit/);
  assert.match(r.stdout, /PID 1/);
});

test('files that are not Nix text or are over --max-file-size get one finding each, without being parsed', () => {
  const d = mkdtempSync(join(tmpdir(), 'nixboot-cli-noise-'));
  try {
    writeFileSync(
      join(d, 'secrets.nix'),
      Buffer.concat([Buffer.from('\0GITCRYPT\0'), Buffer.alloc(20_000, 0xa7)]),
    );
    writeFileSync(join(d, 'generated.nix'), `{\n${'  a = "some generated value";\n'.repeat(1000)}}\n`);
    const r = nixboot(['lint', '--format', 'json', '--max-file-size', '0.01', '.'], d);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as {
      findings: Array<{ file: string; rule: string; severity: string; message: string }>;
    };
    assert.deepEqual(out.findings.map((f) => `${f.file}:${f.rule}:${f.severity}`).sort(), [
      'generated.nix:file-not-analysed:info',
      'secrets.nix:file-not-analysed:info',
    ]);
    assert.match(out.findings.find((f) => f.file === 'generated.nix')!.message, /over the 0\.01 MiB limit/);
    // The default limit (2 MiB) analyses the generated file: it is valid Nix.
    const all = JSON.parse(nixboot(['lint', '--format', 'json', '.'], d).stdout) as {
      findings: Array<{ file: string }>;
    };
    assert.deepEqual(
      all.findings.map((f) => f.file),
      ['secrets.nix'],
    );
    assert.equal(nixboot(['lint', '--max-file-size', 'big', '.'], d).code, 2);
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
});

test('--explain-host names the host a file is judged for, its files and what could not be read', () => {
  const h = mkdtempSync(join(tmpdir(), 'nixboot-host-'));
  try {
    writeFileSync(
      join(h, 'flake.nix'),
      '{ outputs = { nixpkgs, disko, ... }: { nixosConfigurations.vps = nixpkgs.lib.nixosSystem { modules = [ ./configuration.nix disko.nixosModules.disko ]; }; }; }\n',
    );
    writeFileSync(
      join(h, 'configuration.nix'),
      '{ imports = [ ./hw.nix ]; boot.loader.grub.enable = true; }\n',
    );
    writeFileSync(join(h, 'hw.nix'), '{ }\n');
    writeFileSync(join(h, 'old.nix'), '{ }\n');
    const r = nixboot(['lint', '--explain-host', 'hw.nix'], h);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Host: nixosConfigurations\.vps \(flake\.nix\)$/m);
    assert.match(r.stdout, /^Files \(3\): configuration\.nix, flake\.nix, hw\.nix$/m);
    assert.match(r.stdout, /^ {2}- disko\.nixosModules\.disko$/m);
    const dead = nixboot(['lint', '--explain-host', 'old.nix', '.'], h);
    assert.match(dead.stdout, /^No host includes old\.nix/);
    assert.equal(nixboot(['lint', '--explain-host', 'nope.nix'], h).code, 2);
  } finally {
    rmSync(h, { recursive: true, force: true });
  }
});
