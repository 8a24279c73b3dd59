// `npm run fuzz -- [TARGET...] [--seconds N] [--execs N] [--out DIR] [--seed N]`
// `npm run fuzz -- TARGET --replay DIR` runs each file of DIR once (regression inputs).
//
// Builds the instrumented bundle (fuzz/instrument.ts), writes each target's seeds (fuzz/seeds.ts)
// into its corpus directory, and fuzzes the targets one after the other, each in a worker thread
// (fuzz/engine.ts) for N seconds (default 10) or N executions. The main thread watches the worker:
// no progress for 5 s is a hang (the input is saved and the worker replaced), an uncaught error in
// a callback or an exhausted heap is a crash. Findings go to DIR/crashes/TARGET/ (default DIR:
// $XDG_CACHE_HOME/nixboot-fuzz, outside the repository) and are printed; copy one into
// test/fuzz/crashes/TARGET/ to make it a regression test (test/fuzz/replay.test.ts).
// Exit status 1 when anything was found.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { CounterSite } from './instrument';
import { S, saveFinding, type WorkerData, type WorkerMessage } from './shared';
import { seedsFor } from './seeds';
import { TARGET_INFO as TARGETS } from './catalogue';

const ROOT = path.resolve(import.meta.dirname, '..');
export const HANG_MS = 5000;

export interface Bundle {
  file: string;
  sites: CounterSite[];
}

/** Builds the instrumented worker bundle (fuzz/build.ts) in a child process. */
export function buildBundle(outDir: string): Bundle {
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'fuzz/build.ts'), outDir], {
    cwd: ROOT,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  if (r.status !== 0)
    throw new Error(`building the fuzzing bundle failed (${r.error?.message ?? `status ${r.status}`})`);
  const build = path.join(outDir, 'build');
  return {
    file: path.join(build, 'fuzz-worker.cjs'),
    sites: JSON.parse(fs.readFileSync(path.join(build, 'sites.json'), 'utf8')) as CounterSite[],
  };
}

export interface TargetResult {
  target: string;
  execs: number;
  seconds: number;
  corpus: number;
  /** Counters (blocks and branches) of the target's files reached, after the seeds and at the end. */
  seedCovered: number;
  covered: number;
  total: number;
  /** Per file: reached / total. */
  files: Record<string, [number, number]>;
  crashes: string[];
  hangs: string[];
  /** Peak resident memory of the fuzzing process (worker included), and before the worker started. */
  peakRssMiB: number;
  baseRssMiB: number;
  slowestMs: number;
}

export interface RunOptions {
  bundle: Bundle;
  target: string;
  outDir: string;
  seconds: number;
  maxExecs?: number;
  seed?: number;
  /** Heap limit of the worker (default 2048 MiB): beyond it, the input counts as a crash (out of memory). */
  heapMiB?: number;
  /**
   * Replay: run every file of this directory once (no seeds, no mutations, nothing written there)
   * and report crashes and hangs, e.g. the regression inputs in test/fuzz/crashes/TARGET/.
   */
  replayDir?: string;
  /** See WorkerData.stopWhenGrownAfterMs. */
  stopWhenGrownAfterMs?: number;
  log?: (s: string) => void;
}

/** Removes corpus files equal to an input that hung or killed the worker (a new worker would run it again). */
function dropFromCorpus(dir: string, input: Buffer): void {
  for (const name of fs.readdirSync(dir)) {
    const p = path.join(dir, name);
    if (fs.statSync(p).size === input.length && fs.readFileSync(p).equals(input)) fs.rmSync(p);
  }
}

/** Fuzzes one target; workers that hang or die are replaced until the time or executions are used up. */
export async function runTarget(o: RunOptions): Promise<TargetResult> {
  const target = TARGETS.find((t) => t.name === o.target);
  if (!target)
    throw new Error(`unknown target ${o.target} (targets: ${TARGETS.map((t) => t.name).join(', ')})`);
  const log = o.log ?? (() => {});
  const replay = o.replayDir !== undefined;
  const corpusDir = o.replayDir ?? path.join(o.outDir, 'corpus', target.name);
  const crashDir = path.join(o.outDir, 'crashes');
  if (!replay) {
    const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'nixboot-fuzz-seeds-'));
    try {
      fs.mkdirSync(corpusDir, { recursive: true });
      (await seedsFor(target.name, scratch)).forEach((b, i) =>
        fs.writeFileSync(path.join(corpusDir, `seed-${String(i).padStart(4, '0')}`), b),
      );
    } finally {
      fs.rmSync(scratch, { recursive: true, force: true });
    }
  }
  const ownFiles = new Set(target.files);
  const own: number[] = [];
  o.bundle.sites.forEach((s, i) => {
    if (ownFiles.has(s.file)) own.push(i);
  });
  const status = new SharedArrayBuffer(16);
  const st = new Int32Array(status);
  const input = new SharedArrayBuffer(target.maxLen);
  const crashes: string[] = [];
  const hangs: string[] = [];
  const baseRss = process.memoryUsage.rss();
  const start = Date.now();
  const deadline = start + o.seconds * 1000;
  const maxExecs = o.maxExecs ?? Number.MAX_SAFE_INTEGER;
  let execs = 0;
  let peakRss = process.memoryUsage.rss();
  let last: Extract<WorkerMessage, { type: 'done' }> | Extract<WorkerMessage, { type: 'stats' }> | undefined;
  let hit: number[] = [];
  let seedCovered: number | undefined;
  let generation = 0;
  const current = () => Buffer.from(new Uint8Array(input, 0, Atomics.load(st, S.len)));

  while (Date.now() < deadline && execs < maxExecs) {
    Atomics.store(st, S.execs, 0);
    Atomics.store(st, S.running, 0);
    Atomics.store(st, S.phase, 0);
    const wd: WorkerData = {
      target: target.name,
      ms: Math.max(0, deadline - Date.now()),
      maxExecs: replay ? 0 : maxExecs,
      execsBefore: execs,
      corpusDir,
      crashDir,
      counters: o.bundle.sites.length,
      own,
      status,
      input,
      seed: ((o.seed ?? Date.now()) + generation++ * 7919) >>> 0,
      stopWhenGrownAfterMs: o.stopWhenGrownAfterMs,
    };
    const w = new Worker(o.bundle.file, {
      workerData: wd,
      resourceLimits: { maxOldGenerationSizeMb: o.heapMiB ?? 2048 },
      stdout: false,
      stderr: false,
    });
    const outcome = await new Promise<'done' | 'hang' | 'died'>((resolve) => {
      let seen = 0;
      let since = Date.now();
      const timer = setInterval(() => {
        peakRss = Math.max(peakRss, process.memoryUsage.rss());
        const n = Atomics.load(st, S.execs);
        if (n !== seen) {
          seen = n;
          since = Date.now();
          return;
        }
        if (Date.now() - since > HANG_MS && Atomics.load(st, S.running) === 1) {
          const b = current();
          const file = saveFinding(
            path.join(crashDir, target.name),
            'hang',
            b,
            `target: ${target.name}\nno progress for ${HANG_MS} ms on this input (${b.length} bytes)\n`,
          );
          hangs.push(file);
          if (!replay) dropFromCorpus(corpusDir, b);
          log(`HANG ${target.name}: ${file}`);
          execs += n;
          clearInterval(timer);
          void w.terminate().then(() => resolve('hang'));
        }
      }, 100);
      w.on('message', (m: WorkerMessage) => {
        if (m.type === 'crash') {
          crashes.push(m.file);
          log(
            `CRASH ${target.name}: ${m.signature}\n  input: ${m.file}\n${m.message
              .split('\n')
              .slice(0, 8)
              .map((l) => `  ${l}`)
              .join('\n')}`,
          );
        } else {
          last = m;
          seedCovered ??= m.seedCovered;
          if (m.type === 'done') hit = m.hit;
        }
      });
      w.on('error', (e) => {
        const b = current();
        const kind = /ERR_WORKER_OUT_OF_MEMORY/.test(String((e as NodeJS.ErrnoException).code))
          ? 'oom'
          : 'crash';
        const file = saveFinding(
          path.join(crashDir, target.name),
          kind,
          b,
          `target: ${target.name}\nuncaught in the worker while running this input:\n${e.stack ?? e}\n`,
        );
        crashes.push(file);
        if (!replay) dropFromCorpus(corpusDir, b);
        log(
          `${kind.toUpperCase()} ${target.name} (uncaught): ${String(e.stack ?? e)
            .split('\n')
            .slice(0, 6)
            .join('\n  ')}\n  input: ${file}`,
        );
      });
      w.on('exit', () => {
        clearInterval(timer);
        peakRss = Math.max(peakRss, process.memoryUsage.rss());
        resolve(last?.type === 'done' ? 'done' : 'died');
      });
    });
    if (outcome === 'done') {
      execs = last!.execs;
      break;
    }
    if (replay) break; // a replayed input hung or killed the worker: reported, not run again
    if (outcome === 'died') execs += Atomics.load(st, S.execs);
    if (last?.type === 'done') break;
    last = undefined;
  }
  const files: Record<string, [number, number]> = {};
  const hitSet = new Set(hit);
  for (const i of own) {
    const f = o.bundle.sites[i]!.file;
    const e = (files[f] ??= [0, 0]);
    e[1]++;
    if (hitSet.has(i)) e[0]++;
  }
  return {
    target: target.name,
    execs,
    seconds: (Date.now() - start) / 1000,
    corpus: last?.corpus ?? 0,
    seedCovered: seedCovered ?? 0,
    covered: hit.length || (last?.covered ?? 0),
    total: own.length,
    files,
    crashes,
    hangs,
    peakRssMiB: Math.round(peakRss / 2 ** 20),
    baseRssMiB: Math.round(baseRss / 2 ** 20),
    slowestMs: Math.round(last?.slowestMs ?? 0),
  };
}

function defaultOut(): string {
  const cache = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(cache, 'nixboot-fuzz');
}

export function formatResult(r: TargetResult): string {
  const rate = r.execs / Math.max(r.seconds, 0.001);
  return (
    `${r.target}: ${r.execs.toLocaleString('en-US')} inputs in ${r.seconds.toFixed(0)} s (${Math.round(rate).toLocaleString('en-US')}/s), ` +
    `coverage ${r.covered}/${r.total} counters (seeds: ${r.seedCovered}), corpus ${r.corpus}, crashes ${r.crashes.length}, hangs ${r.hangs.length}, ` +
    `peak RSS ${r.peakRssMiB} MiB (${r.baseRssMiB} before the worker), slowest input ${r.slowestMs} ms\n` +
    Object.entries(r.files)
      .map(([f, [h, t]]) => `    ${f}: ${h}/${t} (${((100 * h) / t).toFixed(1)}%)`)
      .join('\n')
  );
}

async function cli(argv: string[]): Promise<number> {
  let seconds = 10;
  let maxExecs: number | undefined;
  let outDir = defaultOut();
  let seed: number | undefined;
  let replayDir: string | undefined;
  const names: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const val = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--seconds') seconds = Number(val());
    else if (a === '--execs') maxExecs = Number(val());
    else if (a === '--out') outDir = path.resolve(val());
    else if (a === '--seed') seed = Number(val());
    else if (a === '--replay') replayDir = path.resolve(val());
    else if (a === '--list') {
      for (const t of TARGETS.filter((x) => !x.hidden)) console.log(`${t.name.padEnd(20)} ${t.description}`);
      return 0;
    } else if (a === '-h' || a === '--help') {
      console.log(
        'usage: npm run fuzz -- [TARGET...] [--seconds N] [--execs N] [--out DIR] [--seed N] [--list]\n       npm run fuzz -- TARGET --replay DIR   (run each file of DIR once)',
      );
      return 0;
    } else if (a.startsWith('-')) throw new Error(`unknown option ${a}`);
    else names.push(a);
  }
  if (!(seconds > 0)) throw new Error('--seconds must be positive');
  if (replayDir && names.length !== 1) throw new Error('--replay DIR needs exactly one TARGET');
  const targets = names.length ? names : TARGETS.filter((t) => !t.hidden).map((t) => t.name);
  for (const n of targets)
    if (!TARGETS.some((t) => t.name === n)) throw new Error(`unknown target ${n} (see --list)`);
  fs.mkdirSync(outDir, { recursive: true });
  const bundle = buildBundle(outDir);
  console.log(`instrumented ${bundle.sites.length} counters; findings and corpora in ${outDir}`);
  const results: TargetResult[] = [];
  for (const name of targets) {
    console.log(`fuzzing ${name} for ${seconds} s${maxExecs ? ` or ${maxExecs} inputs` : ''}…`);
    const r = await runTarget({
      bundle,
      target: name,
      outDir,
      seconds,
      maxExecs,
      seed,
      replayDir,
      log: (s) => console.log(s),
    });
    results.push(r);
    console.log(formatResult(r));
  }
  const summary = path.join(outDir, `summary-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  fs.writeFileSync(
    summary,
    JSON.stringify({ command: `npm run fuzz -- ${argv.join(' ')}`, node: process.version, results }, null, 2),
  );
  const found = results.reduce((n, r) => n + r.crashes.length + r.hangs.length, 0);
  console.log(
    `summary: ${summary}${found ? `\n${found} finding(s): copy an input into test/fuzz/crashes/TARGET/ to make it a regression test` : ''}`,
  );
  return found ? 1 : 0;
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) {
  cli(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e) => {
      console.error(`fuzz: ${(e as Error).message}`);
      process.exit(2);
    },
  );
}
