// Document symbols (the Outline) of the 5,000-line module of bench/lint.ts: the symbols of an
// already parsed file, as the language server answers textDocument/documentSymbol from the
// analysis host's model, and parse + symbols from scratch. Goal: p50 ≤ 10 ms for the symbols.
// Measured on the shipped code: the engine bundled with esbuild as in dist/server.js, run with the
// server's V8 flags (as bench/lint.ts).
import { bigModule, runHarness, SERVER_NODE_FLAGS } from './lint';

const HARNESS = `
import { analyzeFile } from './server/src/analysis';
import { documentSymbols } from './server/src/nixos/symbols';
import { readFileSync } from 'node:fs';
const text = readFileSync(process.argv[2], 'utf8');
const PATH = '/bench/configuration.nix';
const count = (syms) => syms.reduce((n, s) => n + 1 + count(s.children), 0);
const pct = (t) => { t.sort((a, b) => a - b); return { p50: t[Math.floor(t.length / 2)], p95: t[Math.floor(t.length * 0.95)] }; };
const model = analyzeFile(PATH, text);
let symbols = 0;
for (let k = 0; k < 30; k++) symbols = count(documentSymbols(model.root, model.text));
const onModel = [];
const cpu0 = process.cpuUsage();
for (let k = 0; k < 200; k++) {
  const t0 = process.hrtime.bigint();
  documentSymbols(model.root, model.text);
  onModel.push(Number(process.hrtime.bigint() - t0) / 1e6);
}
const cpu = process.cpuUsage(cpu0);
const cpuPerRun = (cpu.user + cpu.system) / 1000 / 200;
const scratch = [];
for (let k = 0; k < 50; k++) {
  const t = text.replace('Service number 1"', 'Service number 1' + k + '"');
  const t0 = process.hrtime.bigint();
  const m = analyzeFile(PATH, t);
  documentSymbols(m.root, m.text);
  scratch.push(Number(process.hrtime.bigint() - t0) / 1e6);
}
console.log(JSON.stringify({ symbols, model: pct(onModel), scratch: pct(scratch), cpuPerRun, load: require('node:os').loadavg()[0] }));
`;

export async function run(): Promise<string> {
  const text = bigModule(5000);
  const lines = text.split('\n').length - 1;
  const stdout = await runHarness(HARNESS, text);
  type Row = { p50: number; p95: number };
  const {
    symbols,
    model: a,
    scratch: b,
    cpuPerRun,
    load,
  } = JSON.parse(stdout) as {
    symbols: number;
    model: Row;
    scratch: Row;
    cpuPerRun: number;
    load: number;
  };
  return [
    '## Document symbols (Outline) of a 5,000-line module',
    '',
    'Command: `npm run bench -- symbols` (bench/symbols.ts). The module of the lint benchmark; the engine bundled by',
    `esbuild as in dist/server.js, run with the server's flags (\`${SERVER_NODE_FLAGS.join(' ')}\`). "From the model" is what`,
    'the language server does for textDocument/documentSymbol (the analysis host already holds the parsed model of the',
    'current version); "parse + symbols" analyses the text from scratch first (a full parse, no incremental reuse).',
    '30 warm-up runs, then 200 (resp. 50) timed runs. Wall-clock percentiles depend on what else runs on the 2 cores',
    `(load average ${load.toFixed(1)} when measured), so the CPU time the process spent per run (\`process.cpuUsage\`, main`,
    'and GC threads) is given too.',
    '',
    '| document symbols | lines | symbols | p50 (wall) | p95 (wall) | CPU per run | goal |',
    '|---|---:|---:|---:|---:|---:|---|',
    `| from the model | ${lines} | ${symbols} | ${a.p50.toFixed(2)} ms | ${a.p95.toFixed(2)} ms | ${cpuPerRun.toFixed(2)} ms | p50 ≤ 10 ms: ${a.p50 <= 10 ? 'met' : `NOT met (wall); CPU ${cpuPerRun <= 10 ? 'within' : 'over'} 10 ms`} |`,
    `| parse + symbols | ${lines} | ${symbols} | ${b.p50.toFixed(2)} ms | ${b.p95.toFixed(2)} ms | | |`,
  ].join('\n');
}
