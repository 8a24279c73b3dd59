// `nixboot generations`: list system generations with boot facts, diff two closures, find store paths.
import type { CliCommand, CliIO } from './io';
import { CliError } from './io';
import { readArgs, unknownOption } from './args';
import {
  pickGeneration,
  readGenerations,
  type Generation,
  type GenerationsReport,
} from '../system/generations';
import { bootBudget, describeRoom, fmtBytes, generationWarnings } from '../system/bootBudget';
import { diffClosures, matchClosure, queryClosure } from '../system/closure';
import { printable } from '../text';

const USAGE = `Usage:
  nixboot generations [--root DIR] [--profile PATH] [--json]
  nixboot generations diff A B [--root DIR] [--profile PATH] [--json]
  nixboot generations find PATTERN [--root DIR] [--profile PATH] [--json]

List the generations of a NixOS system profile: number, date (link birth time), NixOS version,
kernel version, kernel and initrd sizes, flags (current = /run/current-system, booted =
/run/booted-system, default = the profile's link, no-entry = the boot loader has no entry for it),
then the /boot budget and warnings.

  diff A B        packages added, removed and changed in version between two generations' closures
                  (A and B: a number, current, booted, default or previous)
  find PATTERN    generations whose closure holds a store path whose name matches PATTERN (a regex)

Options:
  --root DIR      system root (default /; e.g. /mnt for a system mounted from a live USB)
  --profile PATH  profile as seen from the system (default /nix/var/nix/profiles/system)
  --json          machine-readable output
`;

interface Args {
  root: string;
  profile?: string;
  json: boolean;
  rest: string[];
}

function parse(args: string[]): Args {
  const out: Args = { root: '/', json: false, rest: [] };
  for (const a of readArgs(args)) {
    if (a.positional) out.rest.push(a.name);
    else if (a.name === '--root') out.root = a.value();
    else if (a.name === '--profile') out.profile = a.value();
    else if (a.name === '--json') out.json = true;
    else throw unknownOption(a);
  }
  return out;
}

const flags = (g: Generation) =>
  [
    g.current && 'current',
    g.booted && 'booted',
    g.default && 'default',
    g.bootEntry === false && 'no-entry',
    !g.exists && 'missing',
  ]
    .filter(Boolean)
    .join(',');

/** Columns padded to their widest cell; cells (names from the system: versions, specialisations, store paths) escaped. */
function table(cells: string[][]): string {
  const rows = cells.map((r) => r.map((c) => printable(c)));
  const w = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return (
    rows
      .map((r) =>
        r
          .map((c, i) => (i === r.length - 1 ? c : c.padEnd(w[i]!)))
          .join('  ')
          .trimEnd(),
      )
      .join('\n') + '\n'
  );
}

function load(a: Args, io: CliIO): GenerationsReport {
  const report = readGenerations({ root: a.root, profile: a.profile });
  if (report.generations.length === 0)
    throw new CliError(`no generations found for ${report.profile} under ${report.root}`, 1);
  void io;
  return report;
}

function pick(report: GenerationsReport, spec: string): Generation {
  const g = pickGeneration(report.generations, spec);
  if (!g)
    throw new CliError(
      `no generation '${spec}' (have ${report.generations.map((x) => x.generation).join(', ')})`,
    );
  return g;
}

async function list(a: Args, io: CliIO): Promise<number> {
  const report = load(a, io);
  const budget = bootBudget(report);
  const warnings = generationWarnings(report, budget);
  if (a.json) {
    io.out(JSON.stringify({ generations: report.generations, budget, warnings }, null, 2) + '\n');
    return 0;
  }
  const rows = [['GEN', 'DATE', 'NIXOS', 'KERNEL', 'KERNEL SIZE', 'INITRD SIZE', 'SPECIALISATIONS', 'FLAGS']];
  for (const g of report.generations)
    rows.push([
      String(g.generation),
      g.date.replace('T', ' ').replace(/\.\d+Z$/, 'Z'),
      g.nixosVersion ?? '-',
      g.kernelVersion ?? '-',
      g.kernel?.size !== undefined ? fmtBytes(g.kernel.size) : '-',
      g.initrd?.size !== undefined ? fmtBytes(g.initrd.size) : '-',
      g.specialisations.join(',') || '-',
      flags(g) || '-',
    ]);
  io.out(table(rows));
  io.out(
    `\n/boot (${budget.loader}${budget.copies ? '' : ', reads the store'}): ${budget.entries} entries, ` +
      `${fmtBytes(budget.usedByGenerations)} in kernel/initrd copies, ` +
      `${budget.freeBytes !== undefined ? `${fmtBytes(budget.freeBytes)} free` : 'free space unknown'}` +
      `${describeRoom(budget) ? `, ${describeRoom(budget)}` : ''}\n`,
  );
  for (const w of warnings) io.out(`warning: ${printable(w.message)}\n`);
  return 0;
}

async function diff(a: Args, io: CliIO): Promise<number> {
  if (a.rest.length !== 2)
    throw new CliError('diff needs two generations, e.g. `nixboot generations diff 41 42`');
  const report = load(a, io);
  const [ga, gb] = [pick(report, a.rest[0]!), pick(report, a.rest[1]!)];
  const [ca, cb] = await Promise.all([
    queryClosure(ga.storePath, { root: a.root, signal: io.signal }),
    queryClosure(gb.storePath, { root: a.root, signal: io.signal }),
  ]);
  const d = diffClosures(ca, cb);
  if (a.json) {
    io.out(JSON.stringify({ from: ga.generation, to: gb.generation, ...d }, null, 2) + '\n');
    return 0;
  }
  io.out(`Generation ${ga.generation} → ${gb.generation}\n`);
  const sign = (n: number) => (n > 0 ? `+${fmtBytes(n)}` : n < 0 ? `-${fmtBytes(-n)}` : '0 B');
  for (const kind of ['changed', 'added', 'removed'] as const) {
    const cs = d.changes.filter((c) => c.kind === kind);
    if (!cs.length) continue;
    io.out(`\n${kind[0]!.toUpperCase()}${kind.slice(1)} (${cs.length}):\n`);
    const rows = cs.map((c) => [
      `  ${c.pname}`,
      kind === 'added'
        ? c.after.join(', ') || '∅'
        : kind === 'removed'
          ? c.before.join(', ') || '∅'
          : `${c.before.join(', ') || '∅'} → ${c.after.join(', ') || '∅'}`,
      sign(c.sizeDelta),
    ]);
    io.out(table(rows));
  }
  io.out(
    `\nClosure: ${d.pathsBefore} → ${d.pathsAfter} paths, ${fmtBytes(d.sizeBefore)} → ${fmtBytes(d.sizeAfter)} (${sign(d.sizeAfter - d.sizeBefore)})\n`,
  );
  return 0;
}

async function find(a: Args, io: CliIO): Promise<number> {
  if (a.rest.length !== 1)
    throw new CliError('find needs one PATTERN, e.g. `nixboot generations find sed-key`');
  matchClosure([], a.rest[0]!); // a bad pattern fails before any query
  const report = load(a, io);
  const results: { generation: number; matches: string[] }[] = [];
  for (const g of report.generations) {
    if (!g.exists) continue;
    const c = await queryClosure(g.storePath, { root: a.root, signal: io.signal });
    const matches = matchClosure(c, a.rest[0]!);
    if (matches.length) results.push({ generation: g.generation, matches });
  }
  if (a.json) io.out(JSON.stringify(results, null, 2) + '\n');
  else for (const r of results) for (const m of r.matches) io.out(`${r.generation}\t${printable(m)}\n`);
  return results.length ? 0 : 1;
}

export const generationsCommand: CliCommand = {
  name: 'generations',
  summary: 'list system generations, /boot budget; diff closures; find store paths',
  usage: USAGE,
  async run(args, io) {
    const a = parse(args);
    const sub = a.rest[0];
    if (sub === 'diff' || sub === 'find') {
      a.rest.shift();
      return sub === 'diff' ? diff(a, io) : find(a, io);
    }
    if (a.rest.length)
      throw new CliError(`unexpected argument '${a.rest[0]}' (see nixboot generations --help)`);
    return list(a, io);
  },
};
