// Generations benchmark: listing 100 generations with kernel/initrd sizes and the /boot budget
// (goal ≤ 1 s), and one closure diff of two 2,000-path closures through the real Nix (goal ≤ 0.5 s).
// Fixtures are built with real nix under a fresh temp dir and removed afterwards.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { makeNixosProfile } from '../test/fixtures/nixosProfile';
import { nixEnv } from '../test/nixEnv';
import { readGenerations } from '../server/src/system/generations';
import { bootBudget } from '../server/src/system/bootBudget';
import { diffClosures, queryClosure } from '../server/src/system/closure';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export async function run(): Promise<string> {
  const env = nixEnv();
  process.env.NIX_CONFIG = env.NIX_CONFIG;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nixboot-bench-gen-'));
  try {
    // 100 generations, 10 kernels, bootspec on most, 3 packages each.
    let t = performance.now();
    const gens = Array.from({ length: 100 }, (_, i) => ({
      nixosVersion: `24.05.${20240000 + i}.abc${String(i).padStart(4, '0')}`,
      kernelVersion: `6.6.${Math.floor(i / 10)}`,
      kernelBytes: 65536 + Math.floor(i / 10) * 1024,
      packages: { hello: `2.${i % 7}`, sed: '4.9', curl: `8.${i % 5}.0` },
      bootspec: i % 4 !== 0,
      specialisations: i % 10 === 0 ? { rescue: ['systemd.unit=rescue.target'] } : undefined,
    }));
    const sys = await makeNixosProfile({
      dir: path.join(dir, 'p'),
      generations: gens,
      boot: { loader: 'systemd-boot', keep: 30 },
    });
    const buildS = (performance.now() - t) / 1000;
    const listTimes: number[] = [];
    let n = 0;
    let entries = 0;
    for (let i = 0; i < 7; i++) {
      t = performance.now();
      const r = readGenerations({ root: sys.root });
      const b = bootBudget(r);
      listTimes.push(performance.now() - t);
      n = r.generations.length;
      entries = b.entries;
    }

    // Two 2,000-path closures (builtins.toFile paths: written at evaluation, no builds), 100 versions changed.
    const expr = (side: 'a' | 'b') =>
      `let mk = i: builtins.toFile "pkg${'$'}{toString i}-${'$'}{if ${side === 'b' ? 'true' : 'false'} && i < 100 then "2.0" else "1.0"}" "package ${'$'}{toString i}"; ` +
      `in builtins.toFile "closure-${side}" (builtins.concatStringsSep "\\n" (builtins.genList mk 1999))`;
    t = performance.now();
    const roots = (['a', 'b'] as const).map((s) => {
      const r = spawnSync('nix-instantiate', ['--eval', '--read-write-mode', '--raw', '-E', expr(s)], {
        env,
        encoding: 'utf8',
      });
      if (r.status !== 0) {
        const r2 = spawnSync('nix-instantiate', ['--eval', '--read-write-mode', '-E', expr(s)], {
          env,
          encoding: 'utf8',
        });
        if (r2.status !== 0) throw new Error(r2.stderr);
        return JSON.parse(r2.stdout.trim()) as string;
      }
      return r.stdout.trim();
    });
    const makeS = (performance.now() - t) / 1000;
    const queryTimes: number[] = [];
    const diffTimes: number[] = [];
    let sizes = [0, 0];
    let changes = 0;
    for (let i = 0; i < 5; i++) {
      t = performance.now();
      const [ca, cb] = await Promise.all(roots.map((r) => queryClosure(r, { noCache: true })));
      const q = performance.now();
      const d = diffClosures(ca!, cb!);
      const e = performance.now();
      queryTimes.push(e - t);
      diffTimes.push(e - q);
      sizes = [ca!.length, cb!.length];
      changes = d.changes.length;
    }
    return [
      '## Generations',
      '',
      'Command: `npm run bench -- generations` (fixtures built with real Nix 2.8 under a temp dir).',
      '',
      '| Measurement | Median | Goal |',
      '|---|---:|---:|',
      `| List ${n} generations with kernel/initrd sizes, ${entries} boot entries and the /boot budget (\`readGenerations\` + \`bootBudget\`, 7 runs) | ${median(listTimes).toFixed(1)} ms | ≤ 1 s |`,
      `| Closure diff of two ${sizes[0]}/${sizes[1]}-path closures, both \`nix path-info --json --recursive\` queries included (5 runs) | ${median(queryTimes).toFixed(0)} ms | ≤ 0.5 s |`,
      `| … of which the diff itself (${changes} entries: 100 version changes + the two roots) | ${median(diffTimes).toFixed(1)} ms | |`,
      '',
      `Fixture build: 100 generations in ${buildS.toFixed(1)} s; two 2,000-path closures in ${makeS.toFixed(1)} s.`,
    ].join('\n');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
