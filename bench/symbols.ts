// Document symbols (the Outline) of the 5,000-line module of bench/lint.ts: the symbols of an
// already parsed file, as the language server answers textDocument/documentSymbol from the
// analysis host's model, and parse + symbols from scratch. Goal: p50 ≤ 10 ms for the symbols.
import { analyzeFile } from '../server/src/analysis';
import { documentSymbols, type DocumentSymbol } from '../server/src/nixos/symbols';
import { bigModule } from './lint';

function count(syms: readonly DocumentSymbol[]): number {
  let n = 0;
  for (const s of syms) n += 1 + count(s.children);
  return n;
}

function percentiles(times: number[]): { p50: number; p95: number } {
  times.sort((a, b) => a - b);
  return { p50: times[Math.floor(times.length / 2)]!, p95: times[Math.floor(times.length * 0.95)]! };
}

export async function run(): Promise<string> {
  const text = bigModule(5000);
  const lines = text.split('\n').length - 1;
  const model = analyzeFile('/bench/configuration.nix', text);
  let symbols = 0;
  for (let k = 0; k < 30; k++) symbols = count(documentSymbols(model.root, model.text));
  const onModel: number[] = [];
  for (let k = 0; k < 200; k++) {
    const t0 = process.hrtime.bigint();
    documentSymbols(model.root, model.text);
    onModel.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  const scratch: number[] = [];
  for (let k = 0; k < 50; k++) {
    const t0 = process.hrtime.bigint();
    const m = analyzeFile('/bench/configuration.nix', text.replace('Service number 1"', `Service number 1${k}"`));
    documentSymbols(m.root, m.text);
    scratch.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  const a = percentiles(onModel);
  const b = percentiles(scratch);
  return [
    '## Document symbols (Outline) of a 5,000-line module',
    '',
    'Command: `npm run bench -- symbols` (bench/symbols.ts), in-process under tsx. The module of the lint benchmark;',
    '"from the model" is what the language server does for textDocument/documentSymbol (the analysis host already holds',
    'the parsed model of the current version); "parse + symbols" analyses the text from scratch first. 30 warm-up runs,',
    'then 200 (resp. 50) timed runs.',
    '',
    '| document symbols | lines | symbols | p50 | p95 | goal |',
    '|---|---:|---:|---:|---:|---|',
    `| from the model | ${lines} | ${symbols} | ${a.p50.toFixed(2)} ms | ${a.p95.toFixed(2)} ms | p50 ≤ 10 ms: ${a.p50 <= 10 ? 'met' : 'NOT met'} |`,
    `| parse + symbols | ${lines} | ${symbols} | ${b.p50.toFixed(2)} ms | ${b.p95.toFixed(2)} ms | |`,
  ].join('\n');
}
