import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  cpSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { narDiffCommand } from '../../server/src/cli/narDiff';
import { checkMachOSignature, elfSections } from '../../server/src/nar/binfmt';
import { diffRanges } from '../../server/src/nar/diff';
import { runCommand } from '../nar/cliHelper';
import { nixEnv, skipUnless } from '../nixEnv';
import { makeSignedMachO } from './macho';

const tmp = mkdtempSync(join(tmpdir(), 'nixboot-nardiff-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

test('diffRanges merges nearby bytes and reports length changes', () => {
  const a = Buffer.alloc(10000, 1);
  const b = Buffer.from(a);
  b[100] = 2;
  b[105] = 2;
  b[9000] = 9;
  assert.deepEqual(diffRanges(a, b).ranges, [
    { start: 100, end: 106 },
    { start: 9000, end: 9001 },
  ]);
  assert.equal(diffRanges(a, b).count, 3);
  assert.deepEqual(diffRanges(a, Buffer.concat([a, Buffer.from('xy')])).ranges, [
    { start: 10000, end: 10002 },
  ]);
});

test('Mach-O: a rewritten byte is reported at its page-hash slot', () => {
  const good = makeSignedMachO({ pages: 5 });
  const [cd] = checkMachOSignature(good);
  assert.equal(cd!.nCodeSlots, 5);
  assert.equal(cd!.pageSize, 4096);
  assert.equal(cd!.identifier, 'hello');
  assert.equal(cd!.flags, 0x20002);
  assert.deepEqual(cd!.mismatches, []);
  const bad = Buffer.from(good);
  bad[3 * 4096 + 123] ^= 0xff; // a store-path rewrite inside page 3
  const [cd2] = checkMachOSignature(bad);
  assert.deepEqual(
    cd2!.mismatches.map((m) => [m.slot, m.offset]),
    [[3, 0x3000]],
  );
  assert.throws(
    () => checkMachOSignature(Buffer.concat([good.subarray(0, 5 * 4096 + 4), Buffer.alloc(4)])),
    /SuperBlob|outside/,
  );
  const fat = Buffer.alloc(8 + 20 + 16384 + bad.length);
  fat.writeUInt32BE(0xcafebabe, 0);
  fat.writeUInt32BE(1, 4);
  fat.writeUInt32BE(16384, 8 + 8);
  fat.writeUInt32BE(bad.length, 8 + 12);
  bad.copy(fat, 16384);
  assert.deepEqual(
    checkMachOSignature(fat)[0]!.mismatches.map((m) => m.offset),
    [16384 + 0x3000],
  );
});

test('nar-diff on trees: added, removed, exec bit, symlink target, Mach-O slots', async () => {
  const a = join(tmp, 'a');
  mkdirSync(join(a, 'bin'), { recursive: true });
  writeFileSync(join(a, 'bin', 'hello'), makeSignedMachO({ pages: 4 }));
  writeFileSync(join(a, 'gone'), 'x');
  writeFileSync(join(a, 'mode'), 'm');
  symlinkSync('bin/hello', join(a, 'link'));
  const b = join(tmp, 'b');
  cpSync(a, b, { recursive: true, verbatimSymlinks: true });
  const bin = readFileSync(join(b, 'bin', 'hello'));
  bin[2 * 4096 + 7] = 0x42;
  writeFileSync(join(b, 'bin', 'hello'), bin);
  rmSync(join(b, 'gone'));
  writeFileSync(join(b, 'new'), 'n');
  chmodSync(join(b, 'mode'), 0o755);
  rmSync(join(b, 'link'));
  symlinkSync('bin/other', join(b, 'link'));
  const r = await runCommand(narDiffCommand, [a, b]);
  assert.equal(r.code, 1, r.err);
  assert.match(r.out, /removed +gone/);
  assert.match(r.out, /added +new/);
  assert.match(r.out, /executable +mode/);
  assert.match(r.out, /target +link +bin\/hello → bin\/other/);
  assert.match(r.out, /Mach-O B: 1\/4 page hash mismatches .*slot 2 @0x2000/);
  assert.match(r.out, /Mach-O A: 0\/4/);
  const same = await runCommand(narDiffCommand, [a, a]);
  assert.equal(same.code, 0);
  assert.match(same.out, /identical/);
  const missing = await runCommand(narDiffCommand, [a, join(tmp, 'nope')]);
  assert.equal(missing.code, 2);
});

test(
  'nar-diff on ELF binaries names the section and reads NAR files (real gcc, real nix)',
  { skip: skipUnless('gcc', 'nix-store') },
  async () => {
    const c = join(tmp, 'p.c');
    writeFileSync(
      c,
      'static const char marker[] = "NIXBOOT-MARKER-/nix/store/aaaa";\nint main(void){ return marker[0]; }\n',
    );
    const out1 = join(tmp, 'e1');
    mkdirSync(out1);
    const cc = spawnSync('gcc', ['-O0', '-o', join(out1, 'prog'), c], { encoding: 'utf8' });
    assert.equal(cc.status, 0, cc.stderr);
    const out2 = join(tmp, 'e2');
    cpSync(out1, out2, { recursive: true });
    const prog = readFileSync(join(out2, 'prog'));
    const at = prog.indexOf('NIXBOOT-MARKER');
    prog.write('bbbb', at + 26);
    writeFileSync(join(out2, 'prog'), prog);
    const sec = elfSections(prog).find((s) => at >= s.offset && at < s.offset + s.size);
    assert.equal(sec?.name, '.rodata');
    const dump = (d: string, f: string) => {
      const r = spawnSync('nix-store', ['--dump', d], { env: nixEnv(), maxBuffer: 64 * 1024 * 1024 });
      assert.equal(r.status, 0, String(r.stderr));
      writeFileSync(f, r.stdout);
      return f;
    };
    const r = await runCommand(narDiffCommand, [
      '--json',
      dump(out1, join(tmp, '1.nar')),
      dump(out2, join(tmp, '2.nar')),
    ]);
    assert.equal(r.code, 1, r.err);
    const d = JSON.parse(r.out);
    assert.equal(d.files.length, 1);
    assert.equal(d.files[0].path, 'prog');
    assert.deepEqual(d.files[0].elfSections, ['.rodata']);
    assert.deepEqual(d.files[0].ranges, [{ start: at + 26, end: at + 30, sections: ['.rodata'] }]);
    const mixed = await runCommand(narDiffCommand, [join(tmp, '1.nar'), out1]);
    assert.equal(mixed.code, 0, mixed.out);
  },
);
