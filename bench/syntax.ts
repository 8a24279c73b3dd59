// Parse throughput on a large realistic file, against `nix-instantiate --parse` on the same file.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from '../server/src/syntax/index';
import { bigModule } from './lint';
import { nixEnv } from '../test/nixEnv';

export async function run(): Promise<string> {
  const text = bigModule(60_000);
  const mb = Buffer.byteLength(text) / 1e6;
  for (let i = 0; i < 3; i++) parse(text);
  const runs = 5;
  const t0 = performance.now();
  let errors = 0;
  for (let i = 0; i < runs; i++) errors = parse(text).errors.length;
  const ours = (performance.now() - t0) / runs / 1000;

  const dir = mkdtempSync(join(tmpdir(), 'nixboot-bench-'));
  let nixLine = 'nix-instantiate not found: no comparison';
  try {
    const f = join(dir, 'big.nix');
    writeFileSync(f, text);
    const env = nixEnv();
    const probe = spawnSync('nix-instantiate', ['--version'], { encoding: 'utf8' });
    if (probe.status === 0) {
      const times: number[] = [];
      for (let i = 0; i < 3; i++) {
        const s = performance.now();
        const r = spawnSync('nix-instantiate', ['--parse', f], { env, stdio: ['ignore', 'ignore', 'pipe'] });
        if (r.status !== 0) throw new Error(`nix-instantiate --parse failed: ${r.stderr}`);
        times.push((performance.now() - s) / 1000);
      }
      const nix = Math.min(...times);
      nixLine = `| nix-instantiate --parse (${probe.stdout.trim()}, whole process, best of 3) | ${nix.toFixed(3)} s | ${(mb / nix).toFixed(1)} MB/s |\n\nRatio (nixboot throughput / nix): **${(nix / ours).toFixed(2)}×** from one run.`;
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return [
    '## Parser: throughput on a large file',
    '',
    `Command: \`npm run bench -- syntax\` (bench/syntax.ts). A generated ${mb.toFixed(1)} MB NixOS module (${text.split('\n').length} lines; services, hooks, nested sets, strings), ${errors} syntax errors.`,
    '',
    '| parser | time | throughput |',
    '|---|---:|---:|',
    `| nixboot parse() (mean of ${runs} after warm-up, in-process) | ${ours.toFixed(3)} s | ${(mb / ours).toFixed(1)} MB/s |`,
    nixLine,
  ].join('\n');
}
