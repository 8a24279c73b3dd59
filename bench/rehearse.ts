// Boot rehearsal benchmark: time from QEMU start to the verdict, per fixture, under TCG, and
// QEMU's peak RSS (VmHWM), with the fixtures the tests build (test/rehearse/fixtures.ts): a
// NixOS-shaped busybox stage 1 (healthy, seed 001's exit, a missing command), Debian's
// mkinitramfs image and a dracut systemd initrd with a failing unit. Three boots each.
// Run alone: `npm run bench -- rehearse`.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { rehearse, type RehearsalResult } from '../server/src/rehearse/rehearse';
import {
  buildBusyboxInitrd,
  buildDebianInitrd,
  buildDracutInitrd,
  debianKernel,
  evalHooks,
  evalInitrdService,
  netModules,
  stage1Init,
} from '../test/rehearse/fixtures';

const ROOT_PARAMS = ['root=UUID=00000000-0000-4000-8000-000000000000', 'ro'];

export async function run(): Promise<string> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nixboot-bench-rehearse-'));
  try {
    const kernel = debianKernel().vmlinuz;
    const mods = netModules();
    const fixtures: Array<{ name: string; initrd: string; params: string[]; expect: string }> = [];
    const busybox = (name: string, nix: string, expect: string) => {
      const f = path.join(dir, `${name}.nix`);
      fs.writeFileSync(f, nix);
      const img = path.join(dir, `${name}.img`);
      buildBusyboxInitrd(img, stage1Init(evalHooks(f), mods), dir);
      fixtures.push({ name: `busybox stage 1: ${name}`, initrd: img, params: [], expect });
    };
    busybox('healthy', `{ ... }: { boot.initrd.postDeviceCommands = ''\n  echo ok\n''; }\n`, 'healthy');
    busybox(
      'seed 001 exit',
      `{ ... }: { boot.initrd.network.postCommands = ''\n  echo "zfs load-key zroot; killall zfs" >> /root/.profile; exit\n''; }\n`,
      'stage1-fail',
    );
    busybox(
      'missing command',
      `{ ... }: { boot.initrd.postDeviceCommands = ''\n  sed-key --unlock /dev/vda\n''; }\n`,
      'command-not-found',
    );
    const deb = path.join(dir, 'debian.img');
    buildDebianInitrd(deb);
    fixtures.push({ name: 'Debian mkinitramfs image', initrd: deb, params: ROOT_PARAMS, expect: 'healthy' });
    const sdNix = path.join(dir, 'systemd.nix');
    fs.writeFileSync(
      sdNix,
      `{ ... }: { boot.initrd.systemd.services.unlock = { description = "Unlock"; requiredBy = [ "initrd.target" ]; script = "unlock-tool --all"; }; }\n`,
    );
    const sd = path.join(dir, 'systemd.img');
    buildDracutInitrd(sd, 'unlock.service', evalInitrdService(sdNix, 'unlock'), dir);
    fixtures.push({
      name: 'dracut systemd initrd, failing unit',
      initrd: sd,
      params: ROOT_PARAMS,
      expect: 'unit-failed',
    });

    const load = os
      .loadavg()
      .map((x) => x.toFixed(2))
      .join(' ');
    const loads: string[] = [];
    const rows: string[] = [];
    for (const f of fixtures) {
      const results: RehearsalResult[] = [];
      for (let i = 0; i < 3; i++) {
        loads.push(os.loadavg()[0]!.toFixed(1));
        const r = await rehearse(
          { kernel, initrd: f.initrd, params: f.params, label: f.name, secrets: [] },
          { accel: 'tcg', timeoutMs: 120_000, cacheDir: path.join(dir, 'cache'), ssh: false },
        ).result;
        if (r.verdict !== f.expect)
          throw new Error(`${f.name}: verdict ${r.verdict}, expected ${f.expect}\n${r.console.slice(-2000)}`);
        results.push(r);
      }
      const t = results.map((r) => r.timeMs / 1000).sort((a, b) => a - b);
      const rss = Math.max(...results.map((r) => (r.qemu.peakRssBytes ?? 0) / 2 ** 20));
      const cpu = results.map((r) => (r.qemu.cpuMs ?? 0) / 1000).sort((a, b) => a - b);
      const size = fs.statSync(f.initrd).size / 2 ** 20;
      rows.push(
        `| ${f.name} | ${size.toFixed(1)} MiB | ${f.expect} | ${t[1]!.toFixed(1)} s (${t[0]!.toFixed(1)}–${t[2]!.toFixed(1)}) | ${cpu[1]!.toFixed(1)} s | ${Math.round(rss)} MiB |`,
      );
    }
    return [
      '## Boot rehearsal (`nixboot rehearse`, TCG)',
      '',
      'Command: `flock /tmp/nixboot-bench.lock npm run bench -- rehearse` (bench/rehearse.ts). Kernel: ' +
        `\`${path.basename(kernel)}\` (Debian cloud). QEMU \`-accel tcg -m 512 -smp 1\`. Time = QEMU start → verdict, median of 3 (min–max); QEMU CPU = the CPU time QEMU used up to the verdict (median; the guest's work, which the host's load does not stretch); RSS = QEMU's VmHWM, the largest of the 3.`,
      `Load average (1, 5, 15 min) at start: ${load}; 1-min load before each boot: ${loads.join(', ')}.`,
      '',
      '| fixture | initrd | verdict | time to verdict | QEMU CPU | QEMU peak RSS |',
      '|---|---|---|---|---|---|',
      ...rows,
      '',
      'Goals: small initrd ≤ 10 s, the Debian image ≤ 30 s, RSS ≤ 512 MB.',
    ].join('\n');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
