// `npm run bench`: runs each area benchmark and writes bench/RESULTS.md.
// Usage: npm run bench [-- AREA ...]   (areas: the module names below)
import { writeFileSync } from 'node:fs';
import * as lint from './lint';
import * as catalogue from './catalogue';
import * as syntax from './syntax';
import * as nar from './nar';
import * as activation from './activation';
import * as initrd from './initrd';
import * as generations from './generations';
import * as shell from './shell';
import * as rehearse from './rehearse';
import * as symbols from './symbols';
import * as reports from './reports';

const AREAS: Record<string, { run(): Promise<string> }> = {
  lint,
  catalogue,
  syntax,
  nar,
  activation,
  initrd,
  generations,
  shell,
  rehearse,
  symbols,
  reports,
};

const wanted = process.argv.slice(2);
const resultsUrl = new URL('./RESULTS.md', import.meta.url);
let results = '';
try {
  results = (await import('node:fs')).readFileSync(resultsUrl, 'utf8');
} catch {
  results = '';
}
const header = [
  '# Benchmark results',
  '',
  "Produced by `npm run bench` on the project's machine kind (2 cores); `npm run bench -- AREA …` re-runs some areas and",
  'replaces only their sections. Each section names its own command and the date it was measured.',
  '',
].join('\n');
if (!results.startsWith('# Benchmark results')) results = `${header}\n`;
for (const [name, area] of Object.entries(AREAS)) {
  if (wanted.length > 0 && !wanted.includes(name)) continue;
  process.stderr.write(`bench: ${name}…\n`);
  const body = await area.run();
  const stamp = `_Measured ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, ${(await import('node:os')).cpus().length} cores, Node ${process.version}._`;
  const section = `<!-- bench:${name} -->\n${body}\n\n${stamp}\n<!-- /bench:${name} -->`;
  const re = new RegExp(`<!-- bench:${name} -->[\\s\\S]*?<!-- /bench:${name} -->`);
  results = re.test(results) ? results.replace(re, section) : `${results.trimEnd()}\n\n${section}\n`;
  writeFileSync(resultsUrl, results);
  process.stdout.write(`${section}\n\n`);
}
