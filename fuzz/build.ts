// Builds the fuzzing worker: fuzz/engine.ts bundled with every file under server/src instrumented
// (fuzz/instrument.ts). Run as `node --import tsx fuzz/build.ts OUTDIR` (fuzz/main.ts does, in a
// child process, so that the TypeScript compiler never weighs on the fuzzing process's memory);
// writes OUTDIR/build/fuzz-worker.cjs and OUTDIR/build/sites.json (the counters' files and lines).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { build } from 'esbuild';
import { instrumentPlugin, MAX_COUNTERS, type CounterSite } from './instrument';

const ROOT = path.resolve(import.meta.dirname, '..');

export async function buildWorker(outDir: string): Promise<{ file: string; sites: CounterSite[] }> {
  const sites: CounterSite[] = [];
  const file = path.join(outDir, 'build', 'fuzz-worker.cjs');
  await build({
    entryPoints: [path.join(ROOT, 'fuzz/engine.ts')],
    outfile: file,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    logLevel: 'warning',
    banner: { js: `var __fz = new Uint32Array(${MAX_COUNTERS});` },
    plugins: [instrumentPlugin(ROOT, 'server/src', sites)],
  });
  fs.writeFileSync(path.join(outDir, 'build', 'sites.json'), JSON.stringify(sites));
  return { file, sites };
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) {
  const out = process.argv[2];
  if (!out) {
    console.error('usage: node --import tsx fuzz/build.ts OUTDIR');
    process.exit(2);
  }
  await buildWorker(path.resolve(out));
}
