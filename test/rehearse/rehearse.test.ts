// Boot rehearsals with real QEMU (TCG), the Debian kernel in /boot and initrds built here:
// a busybox stage 1 in the shape of NixOS's scripted /init whose hooks come from a
// configuration.nix this test writes, Debian's mkinitramfs image, and a dracut systemd initrd.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, test } from 'node:test';
import { rehearse, resolveTarget, type RehearsalResult } from '../../server/src/rehearse/rehearse';
import { runCli } from '../../server/src/cli/main';
import { LspClient } from '../lsp/client';
import { RehearseConsoleNotification, RehearseRequest } from '../../server/src/protocol';
import type { CliIO } from '../../server/src/cli/io';
import { skipUnless } from '../nixEnv';
import { rehearsal } from '../../client/src/reports/kinds';
import {
  buildBusyboxInitrd,
  buildDebianInitrd,
  appendInitrdUnit,
  buildDracutInitrd,
  debianKernel,
  evalHooks,
  evalInitrdService,
  netModules,
  stage1Init,
} from './fixtures';

const skip = skipUnless(
  'qemu-system-x86_64',
  'busybox',
  'cpio',
  'gzip',
  'nix-instantiate',
  'mkinitramfs',
  'dracut',
  'ssh-keygen',
  'modinfo',
);
let dir: string;
let kernel: string;
const initrds: Record<string, string> = {};
const configs: Record<string, string> = {};

const CONFIGS: Record<string, string> = {
  healthy: `{ config, pkgs, lib, ... }:
{
  boot.initrd.network.postCommands = ''
    echo "zfs load-key zroot; killall zfs; exit" >> /root/.profile
  '';
  boot.initrd.postDeviceCommands = ''
    echo "hooks ran"
  '';
}
`,
  // Seed 001: the exit outside the quotes. The postDeviceCommands after it is never reached.
  seed001: `{ config, pkgs, lib, ... }:
{
  boot.initrd.network.postCommands = ''
    echo "zfs load-key zroot; killall zfs" \\
      >> /root/.profile; exit
  '';
  boot.initrd.postDeviceCommands = ''
    mkdir -p /run/unlocked
  '';
}
`,
  // Hooks that print nothing: when they ran is bounded by the /init lines printed around them.
  quiet: `{ config, pkgs, lib, ... }:
{
  boot.initrd.preDeviceCommands = ''
    mkdir -p /run/keys
  '';
  boot.initrd.network.postCommands = ''
    touch /run/network-hook
  '';
  boot.initrd.postDeviceCommands = ''
    test -e /run/keys && test -e /run/network-hook
  '';
  boot.initrd.preFailCommands = ''
    touch /run/failed
  '';
}
`,
  missing: `{ config, pkgs, lib, ... }:
{
  boot.initrd.postDeviceCommands = ''
    echo "unlocking"
    sed-key --unlock /dev/vda
  '';
}
`,
  prompt: `{ config, pkgs, lib, ... }:
{
  boot.initrd.postDeviceCommands = ''
    read -p "Passphrase for zroot: " pass
    echo "unlocked with $pass"
  '';
}
`,
  ssh: `{ config, pkgs, lib, ... }:
{
  boot.initrd.secrets = { "/etc/ssh/ssh_host_ed25519_key" = "/etc/secrets/initrd/ssh_host_ed25519_key"; };
  boot.initrd.network.postCommands = ''
    ip link set eth0 up
    ip addr add 10.0.2.15/24 dev eth0
    if test -s /etc/ssh/ssh_host_ed25519_key; then
      (while true; do echo "SSH-2.0-OpenSSH_9.6 nixboot-fixture" | nc -l -p 22; done) &
    fi
  '';
}
`,
  systemd: `{ config, pkgs, lib, ... }:
{
  boot.initrd.systemd.enable = true;
  boot.initrd.systemd.services.unlock-zroot = {
    description = "Unlock zroot";
    requiredBy = [ "initrd.target" ];
    script = "unlock-tool --all";
  };
}
`,
  // The systemd configuration plus a unit whose failure is critical: OnFailure=emergency.target with
  // OnFailureJobMode=replace-irreversibly, as systemd's own initrd.target and initrd-fs.target do.
  emergency: `{ config, pkgs, lib, ... }:
{
  boot.initrd.systemd.enable = true;
  boot.initrd.systemd.services.unlock-zroot = {
    description = "Unlock zroot";
    requiredBy = [ "initrd.target" ];
    script = "unlock-tool --all";
  };
  boot.initrd.systemd.services.import-pool = {
    description = "Import the root pool";
    requiredBy = [ "initrd.target" ];
    unitConfig = {
      OnFailure = [ "emergency.target" ];
      OnFailureJobMode = "replace-irreversibly";
    };
    script = "pool-import -a";
  };
}
`,
};

const lineOf = (text: string, needle: string) => text.split('\n').findIndex((l) => l.includes(needle)) + 1;

before(() => {
  if (skip) return;
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nixboot-rehearse-test-'));
  kernel = debianKernel().vmlinuz;
  const mods = netModules();
  for (const [name, text] of Object.entries(CONFIGS)) {
    const f = path.join(dir, `${name}.nix`);
    fs.writeFileSync(f, text);
    configs[name] = f;
    if (name === 'systemd' || name === 'emergency') continue;
    initrds[name] = path.join(dir, `${name}.initrd`);
    buildBusyboxInitrd(initrds[name]!, stage1Init(evalHooks(f), mods), dir);
  }
  initrds.debian = path.join(dir, 'debian.initrd');
  buildDebianInitrd(initrds.debian);
  initrds.systemd = path.join(dir, 'systemd.initrd');
  buildDracutInitrd(
    initrds.systemd,
    'unlock-zroot.service',
    evalInitrdService(configs.systemd!, 'unlock-zroot'),
    dir,
  );
  initrds.emergency = path.join(dir, 'emergency.initrd');
  appendInitrdUnit(
    initrds.systemd,
    initrds.emergency,
    'import-pool.service',
    evalInitrdService(configs.emergency!, 'import-pool'),
    dir,
    [
      // What emergency.target starts, as NixOS's systemd initrd has it (nixpkgs nixos/modules/system/boot/systemd/initrd.nix
      // lists emergency.service, systemd-sulogin-shell and sulogin); dracut's systemd modules alone leave emergency.service out.
      '/usr/lib/systemd/system/emergency.service',
      '/usr/lib/systemd/systemd-sulogin-shell',
      '/usr/sbin/sulogin',
    ],
  );
});

after(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

const config = (name: string) => [{ path: configs[name]!, text: fs.readFileSync(configs[name]!, 'utf8') }];

function boot(
  name: string,
  opts: {
    params?: string[];
    timeoutMs?: number;
    config?: string;
    signal?: AbortSignal;
    tmpDir?: string;
    onEvent?: Parameters<typeof rehearse>[1]['onEvent'];
  } = {},
) {
  return rehearse(
    { kernel, initrd: initrds[name]!, params: opts.params ?? [], label: name, secrets: [] },
    {
      accel: 'tcg',
      timeoutMs: opts.timeoutMs ?? 120_000,
      cacheDir: path.join(dir, 'cache'),
      config: opts.config ? config(opts.config) : [],
      signal: opts.signal,
      tmpDir: opts.tmpDir,
      onEvent: opts.onEvent,
      ssh: false,
    },
  ).result;
}

const kinds = (r: RehearsalResult) => r.events.map((e) => e.kind);

function hookOf(r: RehearsalResult) {
  return (option: string) => {
    const h = r.hooks.find((x) => x.option === option);
    assert.ok(h, `no ${option} in ${JSON.stringify(r.hooks)}`);
    return h;
  };
}

/** The hook ran between the two console lines, whose times are those of the lines as the console delivered them. */
function assertBetween(
  r: RehearsalResult,
  h: RehearsalResult['hooks'][number],
  after: string | RegExp,
  before: string | RegExp,
) {
  const ctx = `${h.option}: ${JSON.stringify(h)}\n${r.console.slice(-1500)}`;
  assert.equal(h.state, 'ran', ctx);
  const same = (text: string | undefined, want: string | RegExp) =>
    typeof want === 'string' ? text === want : want.test(text ?? '');
  assert.ok(same(h.after?.text, after), ctx);
  assert.ok(same(h.before?.text, before), ctx);
  assert.ok(h.after!.t <= h.before!.t, ctx);
  assert.ok(h.after!.initLine < h.initFirst && h.before!.initLine > h.initLast, ctx);
  const init = r.events.find((e) => e.kind === 'init')!;
  assert.ok(h.after!.t >= init.t && h.before!.t <= r.timeMs, ctx);
  // The times are those at which the console delivered the two lines.
  assert.ok(r.console.includes(h.after!.text) && r.console.includes(h.before!.text), ctx);
  assert.match(h.when, /^(between \d+\.\d s and|at) \d+\.\d s/);
}

test(
  'two rehearsals at once: healthy stage 1 reaches the root wait; seed 001 ends in fail() with the .nix line of its exit (real QEMU)',
  { skip },
  async () => {
    const [healthy, seed] = await Promise.all([
      boot('healthy', { config: 'healthy' }),
      boot('seed001', { config: 'seed001' }),
    ]);
    assert.equal(healthy.verdict, 'healthy', healthy.console.slice(-2000));
    assert.equal(healthy.ok, true);
    assert.deepEqual(
      kinds(healthy).filter((k) => k !== 'network'),
      ['kernel', 'init', 'root-wait'],
    );
    assert.equal(healthy.causes.length, 0);
    assert.match(healthy.console, /hooks ran/);
    // Each hook in the timeline: the one that prints, by its own line; the silent one, between /init's lines.
    const hh = hookOf(healthy);
    assert.equal(hh('boot.initrd.postDeviceCommands').state, 'ran');
    assert.equal(hh('boot.initrd.postDeviceCommands').printed?.first.text, 'hooks ran');
    assertBetween(
      healthy,
      hh('boot.initrd.network.postCommands'),
      'running udev...',
      'starting device mapper and LVM...',
    );

    assert.equal(seed.verdict, 'stage1-fail', seed.console.slice(-2000));
    assert.equal(seed.ok, false);
    assert.ok(!kinds(seed).includes('root-wait'));
    const text = CONFIGS.seed001!;
    assert.equal(seed.causes.length, 1);
    assert.equal(seed.causes[0]!.option, 'boot.initrd.network.postCommands');
    assert.equal(seed.causes[0]!.file, configs.seed001);
    assert.equal(seed.causes[0]!.line, lineOf(text, '>> /root/.profile; exit'));
    assert.equal(seed.causes[0]!.text, 'exit');
    assert.ok(seed.timeMs > 0); // time to verdict is a benchmark (npm run bench -- rehearse), not a test
    // The hook that exits started after /init's last line before it; the hook after it never ran.
    const sh = hookOf(seed);
    assert.equal(sh('boot.initrd.network.postCommands').state, 'started', JSON.stringify(seed.hooks));
    assert.equal(sh('boot.initrd.network.postCommands').after?.text, 'running udev...');
    assert.equal(sh('boot.initrd.postDeviceCommands').state, 'not-reached');
    assert.match(sh('boot.initrd.postDeviceCommands').missed!.text, /starting device mapper and LVM/);
  },
);

test(
  'hooks that print nothing: each bounded by the /init lines printed before and after it, with times from the console (real QEMU)',
  { skip },
  async () => {
    const r = await boot('quiet', { config: 'quiet' });
    assert.equal(r.verdict, 'healthy', r.console.slice(-2000));
    const h = hookOf(r);
    assert.deepEqual(r.hooks.map((x) => x.option).sort(), [
      'boot.initrd.network.postCommands',
      'boot.initrd.postDeviceCommands',
      'boot.initrd.preDeviceCommands',
      'boot.initrd.preFailCommands',
    ]);
    // preFailCommands sits in fail(): it runs when fail() is called, not in the script's order.
    assert.equal(h('boot.initrd.preFailCommands').state, 'in-function');
    assert.match(h('boot.initrd.preFailCommands').when, /inside the function fail\(\)/);
    assertBetween(
      r,
      h('boot.initrd.preDeviceCommands'),
      /^loading module virtio_net\.\.\.$/,
      'running udev...',
    );
    assertBetween(
      r,
      h('boot.initrd.network.postCommands'),
      'running udev...',
      'starting device mapper and LVM...',
    );
    assertBetween(
      r,
      h('boot.initrd.postDeviceCommands'),
      'starting device mapper and LVM...',
      /^waiting for device \/dev\/disk\/by-label\/nixos to appear/,
    );
    // The .nix line of each hook and its /init lines.
    const pre = h('boot.initrd.preDeviceCommands');
    assert.equal(pre.line, lineOf(CONFIGS.quiet!, 'mkdir -p /run/keys'));
    assert.ok(pre.initFirst > 0 && pre.initLast === pre.initFirst);
    // In order, in time.
    const order = [
      'boot.initrd.preDeviceCommands',
      'boot.initrd.network.postCommands',
      'boot.initrd.postDeviceCommands',
    ].map((o) => h(o).at);
    assert.deepEqual(
      [...order].sort((a, b) => a - b),
      order,
    );
  },
);

test(
  'seed 001 with boot.panic_on_fail: kernel panic "Attempted to kill init", mapped to the same line (real QEMU)',
  { skip },
  async () => {
    const r = await boot('seed001', { config: 'seed001', params: ['boot.panic_on_fail'] });
    assert.equal(r.verdict, 'kernel-panic', r.console.slice(-2000));
    assert.match(r.summary, /Attempted to kill init/);
    assert.equal(r.causes[0]?.line, lineOf(CONFIGS.seed001!, '; exit'));
  },
);

test(
  'a hook calling a command the initrd lacks: /init line N mapped to the hook and its .nix line (real QEMU)',
  { skip },
  async () => {
    const r = await boot('missing', { config: 'missing' });
    assert.equal(r.verdict, 'command-not-found', r.console.slice(-2000));
    const e = r.events.find((x) => x.kind === 'command-not-found')!;
    assert.equal(e.command, 'sed-key');
    assert.equal(e.script, '/init');
    assert.ok(kinds(r).includes('root-wait'), 'ash carries on after a missing command');
    assert.equal(r.causes[0]!.option, 'boot.initrd.postDeviceCommands');
    assert.equal(r.causes[0]!.line, lineOf(CONFIGS.missing!, 'sed-key'));
    assert.equal(r.causes[0]!.initLine, e.line);
    assert.equal(
      fs.readFileSync(configs.missing!, 'utf8').split('\n')[r.causes[0]!.line - 1]!.trim(),
      'sed-key --unlock /dev/vda',
    );
  },
);

test(
  "Debian's own mkinitramfs image reaches its wait for the root device (real QEMU)",
  { skip },
  async () => {
    const r = await boot('debian', { params: ['root=UUID=00000000-0000-4000-8000-000000000000', 'ro'] });
    assert.equal(r.verdict, 'healthy', r.console.slice(-2000));
    assert.match(r.events.find((e) => e.kind === 'root-wait')!.text, /Waiting for root file system/);
  },
);

test(
  'systemd stage 1 (dracut): a failing unit is reported and mapped to boot.initrd.systemd.services.<name> (real QEMU)',
  { skip },
  async () => {
    const r = await boot('systemd', {
      config: 'systemd',
      params: ['root=UUID=00000000-0000-4000-8000-000000000000', 'ro'],
      timeoutMs: 60_000,
    });
    assert.equal(r.verdict, 'unit-failed', r.console.slice(-3000));
    assert.ok(r.events.some((e) => e.kind === 'unit-failed' && e.unit === 'unlock-zroot.service'));
    assert.equal(r.causes[0]!.option, 'boot.initrd.systemd.services.unlock-zroot');
    assert.equal(r.causes[0]!.line, lineOf(CONFIGS.systemd!, 'services.unlock-zroot'));
  },
);

test(
  'systemd stage 1 (dracut): a unit with OnFailure=emergency.target fails, emergency mode is reached and mapped to its boot.initrd.systemd.services.<name> line (real QEMU)',
  { skip },
  async () => {
    const t0 = Date.now();
    const r = await boot('emergency', {
      config: 'emergency',
      params: ['root=UUID=00000000-0000-4000-8000-000000000000', 'ro'],
      timeoutMs: 60_000,
    });
    assert.equal(r.verdict, 'emergency', r.console.slice(-3000));
    assert.ok(
      r.events.some((e) => e.kind === 'unit-failed' && e.unit === 'import-pool.service'),
      r.console.slice(-3000),
    );
    const cause = r.causes.find((c) => c.option === 'boot.initrd.systemd.services.import-pool');
    assert.ok(cause, JSON.stringify(r.causes));
    assert.equal(cause.line, lineOf(CONFIGS.emergency!, 'services.import-pool'));
    assert.match(r.summary, /emergency mode/);
    // Reached by the unit's failure, not by systemd's 90 s wait for the missing root device.
    assert.ok(Date.now() - t0 < 60_000);
  },
);

test('cancel during boot kills QEMU and removes its temporary files (real QEMU)', { skip }, async () => {
  const tmp = fs.mkdtempSync(path.join(dir, 'tmp-'));
  const ac = new AbortController();
  const r = await boot('healthy', {
    tmpDir: tmp,
    signal: ac.signal,
    onEvent: (e) => e.kind === 'kernel' && ac.abort(),
  });
  assert.equal(r.verdict, 'cancelled');
  assert.match(String(r.qemu.exit), /SIGKILL/);
  assert.deepEqual(fs.readdirSync(tmp), []);
  // No QEMU of ours is left (the scratch disk path names our temporary directory).
  const procs = fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p));
  for (const p of procs) {
    let cmd = '';
    try {
      cmd = fs.readFileSync(`/proc/${p}/cmdline`, 'utf8');
    } catch {
      continue;
    }
    assert.ok(!cmd.includes(tmp), `QEMU still running: ${cmd.replace(/\0/g, ' ')}`);
  }
});

test(
  'an unanswered passphrase prompt is a hang; typed input reaches the guest and the boot goes on (real QEMU)',
  { skip },
  async () => {
    const r = await boot('prompt');
    assert.equal(r.verdict, 'prompt', r.console.slice(-2000));
    assert.match(r.summary, /Passphrase for zroot:/);

    let typed = false;
    let seen = '';
    const h = rehearse(
      { kernel, initrd: initrds.prompt!, params: [], label: 'prompt', secrets: [] },
      {
        accel: 'tcg',
        timeoutMs: 45_000,
        cacheDir: path.join(dir, 'cache'),
        ssh: false,
        onConsole: (t) => {
          seen += t;
          if (!typed && seen.includes('Passphrase for zroot:')) {
            typed = true;
            h.write('hunter2\r');
          }
        },
      },
    );
    const answered = await h.result;
    assert.equal(answered.verdict, 'healthy', answered.console.slice(-2000));
    assert.match(answered.console, /unlocked with hunter2/);
  },
);

function capture(
  env: NodeJS.ProcessEnv = process.env,
): CliIO & { stdout: () => string; stderr: () => string } {
  let out = '';
  let err = '';
  return {
    cwd: dir,
    env,
    out: (t) => void (out += t),
    err: (t) => void (err += t),
    outBytes: async () => {},
    signal: new AbortController().signal,
    stdout: () => out,
    stderr: () => err,
  };
}

/** A system root with one generation whose toplevel holds kernel, initrd, kernel-params (and, with secrets, NixOS's append-initrd-secrets script). */
function makeRoot(
  name: string,
  initrd: string,
  opts: { secrets?: boolean; configuration?: string } = {},
): { root: string; top: string } {
  const root = path.join(dir, `root-${name}`);
  const top = `/nix/store/00000000000000000000000000000000-nixos-system-${name}-24.05`;
  const kdir = '/nix/store/11111111111111111111111111111111-linux-6.1';
  fs.mkdirSync(path.join(root, top), { recursive: true });
  fs.mkdirSync(path.join(root, kdir), { recursive: true });
  fs.mkdirSync(path.join(root, 'nix/var/nix/profiles'), { recursive: true });
  fs.copyFileSync(kernel, path.join(root, kdir, 'bzImage'));
  fs.symlinkSync(`${kdir}/bzImage`, path.join(root, top, 'kernel'));
  fs.copyFileSync(initrd, path.join(root, top, 'initrd'));
  fs.writeFileSync(path.join(root, top, 'kernel-params'), 'loglevel=4');
  fs.writeFileSync(path.join(root, top, 'nixos-version'), '24.05');
  if (opts.configuration) fs.copyFileSync(opts.configuration, path.join(root, top, 'configuration.nix'));
  if (opts.secrets)
    fs.writeFileSync(
      path.join(root, top, 'append-initrd-secrets'),
      '#!/bin/bash -e\ntmp=$(mktemp -d)\nmkdir -p $(dirname "$tmp/.initrd-secrets//etc/ssh/ssh_host_ed25519_key")\ncp -a /etc/secrets/initrd/ssh_host_ed25519_key "$tmp/.initrd-secrets//etc/ssh/ssh_host_ed25519_key"\n',
      { mode: 0o755 },
    );
  fs.symlinkSync(top, path.join(root, 'nix/var/nix/profiles/system-1-link'));
  fs.symlinkSync('system-1-link', path.join(root, 'nix/var/nix/profiles/system'));
  return { root, top };
}

test(
  'nixboot rehearse --root --generation --ssh: throwaway initrd secrets appended, SSH banner forwarded to 127.0.0.1 (real QEMU)',
  { skip },
  async () => {
    const { root } = makeRoot('ssh', initrds.ssh!, { secrets: true, configuration: configs.ssh });
    assert.deepEqual(resolveTarget({ root, generation: '1' }).secrets, ['/etc/ssh/ssh_host_ed25519_key']);

    const io = capture({ ...process.env, NIXBOOT_CACHE_DIR: path.join(dir, 'cache') });
    const code = await runCli(
      [
        'rehearse',
        '--root',
        root,
        '--generation',
        '1',
        '--accel',
        'tcg',
        '--ssh',
        '--timeout',
        '45',
        '--json',
      ],
      io,
    );
    const r = JSON.parse(io.stdout()) as RehearsalResult;
    assert.equal(code, 0, io.stderr() + r.summary + r.console.slice(-2000));
    assert.equal(r.verdict, 'healthy');
    assert.match(
      r.appended,
      /^init=\/nix\/store\/0+-nixos-system-ssh-24\.05\/init loglevel=4 no_timer_check panic=-1 console=ttyS0$/,
    );
    // The banner only starts when the host key from the appended segment is in place.
    assert.match(r.ssh?.banner ?? '', /^SSH-2\.0-OpenSSH_9\.6 nixboot-fixture/);
    assert.ok(r.ssh!.atMs! > 0 && r.ssh!.atMs! < 45_000);
    assert.deepEqual(r.secrets?.paths, ['/etc/ssh/ssh_host_ed25519_key']);
    assert.match(r.secrets!.note, /throwaway/);
    assert.ok(r.events.some((e) => e.kind === 'ssh'));
  },
);

test(
  'nixboot rehearse without QEMU on PATH exits 2 and says how to install it',
  { skip: skipUnless('busybox') },
  async () => {
    const saved = process.env.PATH;
    process.env.PATH = '/nonexistent';
    try {
      const io = capture();
      const code = await runCli(['rehearse', '--kernel', '/etc/hostname', '--initrd', '/etc/hostname'], io);
      assert.equal(code, 2);
      assert.match(io.stderr(), /apt-get install qemu-system-x86/);
    } finally {
      process.env.PATH = saved;
    }
  },
);

test(
  'LSP nixboot/rehearse/start: console notifications while it boots, the verdict and the cause in the workspace configuration (real QEMU)',
  { skip },
  async () => {
    const ws = path.join(dir, 'ws');
    fs.mkdirSync(ws, { recursive: true });
    fs.copyFileSync(configs.seed001!, path.join(ws, 'configuration.nix'));
    const { root } = makeRoot('lsp', initrds.seed001!);
    const client = new LspClient(process.env);
    try {
      await client.initialize(ws, { systemRoot: root }, { cacheDir: path.join(dir, 'cache') });
      let consoleText = '';
      client.conn.onNotification(
        RehearseConsoleNotification.method,
        (p: RehearseConsoleNotification.Params) => {
          if (p.id === 'r1') consoleText += p.text;
        },
      );
      const r = (await client.conn.sendRequest(RehearseRequest.method, {
        id: 'r1',
        generation: '1',
        accel: 'tcg',
        timeoutSeconds: 45,
      })) as RehearseRequest.Result;
      assert.equal(r.verdict, 'stage1-fail', r.markdown);
      assert.match(consoleText, /An error occurred in stage 1/);
      assert.equal(r.causes[0]!.file, path.join(ws, 'configuration.nix'));
      assert.equal(r.causes[0]!.line, lineOf(CONFIGS.seed001!, '; exit'));
      assert.match(r.markdown, /## Timeline/);
      // What the editor's rehearsal report shows: the image for "Open /init at line N", the console's end.
      assert.ok(r.causes[0]!.initLine! > 0);
      assert.ok(
        r.initrd!.startsWith(root) && fs.readFileSync(r.initrd!).equals(fs.readFileSync(initrds.seed001!)),
        r.initrd,
      );
      assert.match(r.consoleTail!, /An error occurred in stage 1/);
      assert.ok(r.consoleTail!.split('\n').length <= 60);
      // Each hook in the report's timeline with its window, its .nix line and its /init lines in the image.
      const net = r.hooks!.find((h) => h.option === 'boot.initrd.network.postCommands')!;
      assert.equal(net.state, 'started', JSON.stringify(r.hooks));
      assert.equal(net.file, path.join(ws, 'configuration.nix'));
      assert.match(
        r.markdown,
        /\| started after \d+\.\d s; nothing after it printed \(stage 1 stopped at \d+\.\d s: stage1-fail\) \| hook `boot\.initrd\.network\.postCommands` \|/,
      );
      const page = rehearsal.render({ what: 'generation 1', result: r });
      assert.match(page.body, /<li class="ev hook bad" data-kind="hook" data-state="started">/);
      assert.match(page.body, /<li class="ev hook idle" data-kind="hook" data-state="not-reached">/);
      const openInit = page.actions.find((a) => a.kind === 'openInitrd' && a.line === net.initFirst - 1);
      assert.deepEqual(openInit, {
        kind: 'openInitrd',
        image: r.initrd,
        path: '/init',
        line: net.initFirst - 1,
      });
    } finally {
      await client.close();
    }
  },
);

test(
  "the demo's hooks evaluate with a pkgs stand-in: `${pkgs.sed-key}` becomes a store path string, the text otherwise as written",
  { skip: skipUnless('nix-instantiate') },
  () => {
    const demo = path.join(import.meta.dirname, '../fixtures/demo/configuration.nix');
    const h = evalHooks(demo);
    assert.match(
      h.postDeviceCommands!,
      /^\/nix\/store\/[0-9a-df-np-sv-z]{32}-sed-key\/bin\/sed-key unlock \/dev\/disk\/by-id\/nvme-demo - < \/keys\/nvme\.key \|\| sed-key status \/dev\/nvme0n1\n$/,
    );
    assert.equal(
      h.networkPostCommands,
      'echo "zfs load-key zroot; killall zfs" \\\n  >> /root/.profile; exit\n',
    );
  },
);

test(
  'code lens "Rehearse the last build" on configuration.nix once a `result` toplevel is next to the flake; its command boots that toplevel (LSP, real QEMU)',
  { skip },
  async () => {
    // A flake with the host's configuration.nix one folder down, as `nixos-rebuild build --flake` leaves it.
    const ws = path.join(dir, 'ws-lens');
    fs.mkdirSync(path.join(ws, 'hosts/demo'), { recursive: true });
    fs.writeFileSync(path.join(ws, 'flake.nix'), '{ outputs = { self, nixpkgs }: { }; }\n');
    const file = path.join(ws, 'hosts/demo/configuration.nix');
    fs.copyFileSync(configs.seed001!, file);
    const top = path.join(dir, 'built-toplevel');
    fs.mkdirSync(top, { recursive: true });
    fs.symlinkSync(kernel, path.join(top, 'kernel'));
    fs.copyFileSync(initrds.seed001!, path.join(top, 'initrd'));
    fs.writeFileSync(path.join(top, 'kernel-params'), 'loglevel=4');
    fs.writeFileSync(path.join(top, 'nixos-version'), '25.11');
    const uri = pathToFileURL(file).href;
    type Lens = {
      range: { start: { line: number } };
      command?: { title: string; command: string; arguments?: unknown[] };
    };
    const lensOf = async () =>
      ((await client.conn.sendRequest('textDocument/codeLens', { textDocument: { uri } })) as Lens[]).find(
        (l) => l.command?.title === 'Rehearse the last build',
      );
    const client = new LspClient(process.env);
    try {
      await client.initialize(ws, {}, { cacheDir: path.join(dir, 'cache') });
      await client.open(uri, fs.readFileSync(file, 'utf8'));
      assert.equal(await lensOf(), undefined, 'no result link: no lens');
      // A `result` that is not a system toplevel (e.g. a package build) is no reason for the lens.
      fs.mkdirSync(path.join(dir, 'a-package'), { recursive: true });
      fs.symlinkSync(path.join(dir, 'a-package'), path.join(ws, 'result'));
      assert.equal(await lensOf(), undefined, 'a result without kernel and initrd: no lens');
      fs.rmSync(path.join(ws, 'result'));
      fs.symlinkSync(top, path.join(ws, 'result'));
      const lens = await lensOf();
      assert.ok(lens, 'the lens appears once result links to a toplevel');
      assert.equal(lens.range.start.line, 0);
      assert.equal(lens.command!.command, 'nixboot.rehearse.generation');
      assert.deepEqual(lens.command!.arguments, [{ path: path.join(ws, 'result') }]);
      // What the client sends when the lens is clicked: the rehearsal of that toplevel.
      const r = (await client.conn.sendRequest(RehearseRequest.method, {
        id: 'lens',
        path: path.join(ws, 'result'),
        accel: 'tcg',
        timeoutSeconds: 45,
      })) as RehearseRequest.Result;
      assert.equal(r.verdict, 'stage1-fail', r.markdown);
      assert.equal(r.causes[0]!.file, file);
      assert.equal(r.causes[0]!.line, lineOf(CONFIGS.seed001!, '; exit'));
    } finally {
      await client.close();
    }
  },
);
