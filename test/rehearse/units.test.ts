// The parts of the rehearsal that need no VM: the newc writer (read back by GNU cpio and by
// nixboot's initrd engine), the accelerator probe, the secrets script reader, the command line.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { alignmentPadding, parentDirs, writeNewc } from '../../server/src/rehearse/newc';
import { probeAccel, qemuArgs } from '../../server/src/system/qemu';
import { kernelCommandLine, secretDestinations } from '../../server/src/rehearse/rehearse';
import { openArchive } from '../../server/src/initrd/archive';
import { classify, cleanLine, ConsoleLog, isPrompt } from '../../server/src/rehearse/console';
import { consoleTail } from '../../server/src/lsp/rehearse';
import { skipUnless } from '../nixEnv';
import { initPrinters, wordText } from '../../server/src/rehearse/hooks';
import { stage1Init } from './fixtures';

test(
  'newc segment: GNU cpio lists and extracts it; appended after a gzip segment, the initrd engine sees both (real cpio)',
  { skip: skipUnless('cpio', 'gzip') },
  async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nixboot-newc-'));
    try {
      const names = ['.initrd-secrets/etc/ssh/ssh_host_ed25519_key'];
      const seg = writeNewc([
        ...parentDirs(names).map((n) => ({ name: n, type: 'dir' as const, mode: 0o755 })),
        { name: names[0]!, type: 'file', mode: 0o600, data: Buffer.from('KEY\n') },
      ]);
      fs.writeFileSync(path.join(dir, 'seg.cpio'), seg);
      const list = spawnSync('cpio', ['-it', '--quiet'], { input: seg, encoding: 'utf8' });
      assert.equal(list.status, 0, list.stderr);
      assert.deepEqual(list.stdout.trim().split('\n'), [
        '.initrd-secrets',
        '.initrd-secrets/etc',
        '.initrd-secrets/etc/ssh',
        names[0],
      ]);
      const out = path.join(dir, 'x');
      fs.mkdirSync(out);
      assert.equal(spawnSync('cpio', ['-idm', '--quiet'], { input: seg, cwd: out }).status, 0);
      assert.equal(fs.readFileSync(path.join(out, names[0]!), 'utf8'), 'KEY\n');
      assert.equal(fs.statSync(path.join(out, names[0]!)).mode & 0o777, 0o600);

      // A gzip'd first segment of odd length, then padding and ours: what the rehearsal boots.
      fs.mkdirSync(path.join(dir, 'tree'));
      fs.writeFileSync(path.join(dir, 'tree/init'), '#!/bin/sh\n');
      const first = spawnSync('sh', [
        '-c',
        'cd "$1" && echo init | cpio --quiet -o -H newc | gzip -1',
        'sh',
        path.join(dir, 'tree'),
      ]).stdout as Buffer;
      const img = path.join(dir, 'initrd');
      fs.writeFileSync(img, Buffer.concat([first, alignmentPadding(first.length), seg]));
      assert.equal((first.length + alignmentPadding(first.length).length) % 4, 0);
      const a = await openArchive(img, { cacheDir: path.join(dir, 'cache') });
      assert.ok(a.get('/init'));
      assert.equal((await a.readFile(`/${names[0]}`)).toString(), 'KEY\n');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  },
);

test('newc writer refuses names that climb out of the archive', () => {
  assert.throws(
    () => writeNewc([{ name: '../etc/passwd', type: 'file', mode: 0o644 }]),
    /bad cpio entry name/,
  );
});

test('accelerator probe: KVM only with vmx/svm, a usable /dev/kvm and not kvm_pvm', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nixboot-accel-'));
  try {
    const w = (n: string, t: string) => (fs.writeFileSync(path.join(dir, n), t), path.join(dir, n));
    const vmx = w('cpu-vmx', 'processor\t: 0\nflags\t\t: fpu vme vmx sse2\n');
    const none = w('cpu-none', 'processor\t: 0\nflags\t\t: fpu vme sse2 hypervisor\n');
    const pvm = w('mod-pvm', 'kvm_pvm 16384 0 - Live 0x0\nkvm 1 0 - Live 0x0\n');
    const mods = w('mod', 'kvm_intel 16384 0 - Live 0x0\nkvm 1 0 - Live 0x0\n');
    const kvm = w('kvm', '');
    assert.equal(probeAccel({ cpuinfo: none, modules: mods, kvm }).accel, 'tcg');
    assert.equal(probeAccel({ cpuinfo: vmx, modules: pvm, kvm }).accel, 'tcg');
    assert.match(probeAccel({ cpuinfo: vmx, modules: pvm, kvm }).reason, /kvm_pvm/);
    assert.equal(probeAccel({ cpuinfo: vmx, modules: mods, kvm: path.join(dir, 'missing') }).accel, 'tcg');
    assert.equal(probeAccel({ cpuinfo: vmx, modules: mods, kvm }).accel, 'kvm');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("initrd secrets destinations from NixOS's append-initrd-secrets script; our parameters last; QEMU args headless and restricted", () => {
  const script =
    'mkdir -p $(dirname "$tmp/.initrd-secrets//etc/ssh/ssh_host_rsa_key")\ncp -a /etc/secrets/rsa "$tmp/.initrd-secrets//etc/ssh/ssh_host_rsa_key"\ncp -a /k "$tmp/.initrd-secrets//../escape"\ncp -a /k "$tmp/.initrd-secrets//etc/keyfile"\n';
  assert.deepEqual(secretDestinations(script), ['/etc/keyfile', '/etc/ssh/ssh_host_rsa_key']);
  assert.equal(
    kernelCommandLine(['init=/x/init', 'console=ttyS0', 'console=tty0', 'panic=10']),
    'init=/x/init console=tty0 panic=10 no_timer_check panic=-1 console=ttyS0',
  );
  const args = qemuArgs({
    accel: 'tcg',
    kernel: '/k',
    initrd: '/i',
    append: 'a',
    scratchDisk: '/tmp/a,b/disk',
    forwards: [{ host: 4022, guest: 22 }],
  });
  for (const a of ['-nodefaults', '-no-reboot']) assert.ok(args.includes(a));
  assert.equal(args[args.indexOf('-display') + 1], 'none');
  assert.equal(args[args.indexOf('-netdev') + 1], 'user,id=net0,restrict=on,hostfwd=tcp:127.0.0.1:4022-:22');
  assert.equal(args[args.indexOf('-drive') + 1], 'file=/tmp/a,,b/disk,format=raw,if=virtio,cache=unsafe');
});

test('console lines: exact patterns, prompts on the unfinished line, bounded log', () => {
  assert.deepEqual(
    classify('[    4.123456] /init: line 42: sed-key: not found', 1).map((e) => [e.kind, e.line, e.command]),
    [['command-not-found', 42, 'sed-key']],
  );
  assert.deepEqual(classify('sed-key is not found anywhere', 1), []);
  assert.equal(
    classify(
      '\x1b[0;1;31mKernel panic - not syncing: Attempted to kill init! exitcode=0x00000100\x1b[0m',
      1,
    )[0]?.kind,
    'kernel-panic',
  );
  assert.ok(isPrompt('Passphrase for zroot: '));
  assert.ok(!isPrompt('loading module virtio_net...'));
  const log = new ConsoleLog(1000, 100);
  const lines = log.push('x'.repeat(250) + '\nshort\n' + 'y'.repeat(5000));
  assert.ok(lines.every((l) => l.length <= 100));
  assert.ok(log.text().length <= 1000 && log.truncated);
  // Two kernel messages on one console line are two lines, so the kernel event is only its own.
  const joined = new ConsoleLog().push(
    '[    0.000000] Linux version 6.1.0-41-cloud-amd64 (gcc-12) #1 SMP Debian 6.1.158-1\r[    0.000000] Command line: console=ttyS0\r\nRun /init as init process\n',
  );
  assert.deepEqual(
    joined.map((l) => cleanLine(l)),
    [
      '[    0.000000] Linux version 6.1.0-41-cloud-amd64 (gcc-12) #1 SMP Debian 6.1.158-1',
      '[    0.000000] Command line: console=ttyS0',
      'Run /init as init process',
    ],
  );
  assert.equal(
    classify(joined[0]!, 1)[0]?.text,
    'Linux version 6.1.0-41-cloud-amd64 (gcc-12) #1 SMP Debian 6.1.158-1',
  );
  assert.deepEqual(new ConsoleLog().push('echo [ 1.000000] not a stamp\n'), ['echo [ 1.000000] not a stamp']);
});

test('consoleTail: the last 60 lines without control sequences or trailing blank lines, at most 8 KiB', () => {
  const text = `${Array.from({ length: 100 }, (_, i) => `line ${i}\r`).join('\n')}\n\x1b[0;1;31m[FAILED]\x1b[0m unit\n\n\n`;
  const tail = consoleTail(text).split('\n');
  assert.equal(tail.length, 60);
  assert.equal(tail[0], 'line 41');
  assert.equal(tail[59], '[FAILED] unit');
  const long = consoleTail(Array.from({ length: 60 }, () => 'x'.repeat(500)).join('\n'));
  assert.ok(
    long.length <= 8192 && /^x+$/m.test(long) && long.split('\n').every((l) => l.length === 500),
    'cut at a line start',
  );
});

test('the lines /init prints: each echo/printf/heredoc of the NixOS-shaped /init the real-QEMU tests boot, with expansions as any text; redirected, captured and function output kept apart', () => {
  const init = stage1Init(
    {
      networkPostCommands: 'echo "zfs load-key zroot" >> /root/.profile\n',
      postDeviceCommands: 'echo "unlocked $dev"\n',
    },
    ['virtio_net'],
  );
  const lines = init.split('\n');
  const printers = initPrinters(init);
  const at = (text: string) =>
    printers
      .filter((p) => p.re.test(text))
      .map((p) => ({
        line: p.line,
        source: p.source,
        unconditional: p.unconditional,
        inFunction: p.inFunction,
      }));
  const lineOf = (needle: string) => lines.findIndex((l) => l.includes(needle)) + 1;
  assert.deepEqual(at('running udev...'), [
    {
      line: lineOf('echo "running udev..."'),
      source: 'echo "running udev..."',
      unconditional: true,
      inFunction: false,
    },
  ]);
  assert.deepEqual(
    at('loading module virtio_net...').map((p) => p.line),
    [lineOf('echo "loading module $i..."')],
  );
  // `echo -n`: the unfinished line matches as a prefix; inside `if`, so not unconditional.
  assert.deepEqual(
    at('waiting for device /dev/disk/by-label/nixos to appear...').map((p) => [p.line, p.unconditional]),
    [[lineOf('echo -n "waiting for device'), false]],
  );
  // The hook's own line (its $dev is any text).
  assert.deepEqual(
    at('unlocked /dev/vda').map((p) => p.line),
    [lineOf('echo "unlocked $dev"')],
  );
  // fail()'s heredoc: printed, but from a function; `\`$targetRoot'` as the shell expands it.
  assert.deepEqual(
    at('An error occurred in stage 1 of the boot process, which must mount the').map((p) => p.inFunction),
    [true],
  );
  assert.deepEqual(
    at("root filesystem on `/mnt-root' and then start stage 2.  Press one").map((p) => p.inFunction),
    [true],
  );
  // Output redirected to a file is not console output.
  assert.deepEqual(at('zfs load-key zroot'), []);
  // `echo` with too little fixed text (a bare `echo`) matches nothing.
  assert.deepEqual(at(''), []);
  assert.equal(wordText(`"a \\"$b\\" \${c:-d}"'$e'\\ f$(g "h")`), 'a "\u0000" \u0000$e f\u0000');
});
