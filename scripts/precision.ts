// Precision report on a corpus of real NixOS configuration repositories.
//
//   npm run build && npx tsx scripts/precision.ts [--corpus DIR] [--labels FILE] [--out FILE]
//                                                 [--cli FILE] [--json FILE] [--check]
//
// Lints every repository of the corpus as a user would (`node dist/cli.js lint --format json REPO`),
// joins the findings with the labels kept in docs/precision-labels.json (repo, file, line, rule,
// verdict, reason) and writes docs/precision.md: the repositories (names and commits), findings per
// rule, how many were judged true, precision per rule and overall, syntax-error and not-analysed
// counts per repository, the findings no label covers, and the labels no finding matches any more (a re-run
// after a rule change shows what it gained and lost).
//
// The corpus is not part of this repository: it is a directory with one sub-directory per
// repository, named OWNER+NAME, holding the files of the commit the labels name. A file
// COMMITS.txt in the corpus directory ("OWNER+NAME COMMIT" per line) is checked against the labels'
// commits when present.
//
// --check exits 1 when a judged finding has no label (for the lead's re-run).
//
// Not judged, only counted: `syntax-error` and `file-not-analysed` (a file that is not Nix text:
// git-crypt, binary, another format); they are about the file, not about a machine.

import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

interface Repository {
  name: string; // OWNER/NAME
  commit: string;
  shape?: string; // how its hosts are wired (flake, flake-parts, clan, ...)
}

interface Label {
  repo: string; // OWNER/NAME
  file: string; // path inside the repository
  line: number; // 1-based line of the finding's start
  rule: string;
  verdict: boolean; // true: the rule's claim is right for that deployed machine
  reason: string;
  class?: string; // false-alarm class id (see the classes section of docs/precision.md), when verdict is false
  match?: string; // a substring of the finding's message, when one line has two findings of the same rule
}

interface LabelsFile {
  repositories: Repository[];
  classes?: Record<string, string>; // false-alarm class id -> what the rule missed
  labels: Label[];
}

interface Finding {
  repo: string;
  file: string;
  line: number;
  rule: string;
  severity: string;
  message: string;
}

/** Rules about the file's text rather than a machine: counted per repository, not labelled. */
const NOT_JUDGED = new Set(['syntax-error', 'file-not-analysed']);

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  if (i >= 0 && i + 1 < process.argv.length) return process.argv[i + 1]!;
  return fallback;
}

const corpus = path.resolve(arg('--corpus', process.env.NIXBOOT_CORPUS ?? '/work/corpus'));
const labelsPath = path.resolve(arg('--labels', path.join(root, 'docs/precision-labels.json')));
const outPath = path.resolve(arg('--out', path.join(root, 'docs/precision.md')));
const cli = path.resolve(arg('--cli', path.join(root, 'dist/cli.js')));
const jsonOut = process.argv.includes('--json') ? path.resolve(arg('--json', '')) : undefined;
const check = process.argv.includes('--check');

function dirName(repo: string): string {
  return repo.replace('/', '+');
}

function key(repo: string, file: string, line: number, rule: string): string {
  return `${repo}\u0000${file}\u0000${line}\u0000${rule}`;
}

function pct(n: number, d: number): string {
  return d === 0 ? '–' : `${((100 * n) / d).toFixed(1)} %`;
}

function lint(repo: string): Finding[] {
  const dir = path.join(corpus, dirName(repo));
  const r = spawnSync(process.execPath, [cli, 'lint', '--format', 'json', dir], {
    cwd: dir,
    encoding: 'utf8',
    maxBuffer: 1 << 30,
    timeout: 600_000,
  });
  if (r.error) throw new Error(`lint ${repo}: ${r.error.message}`);
  // Exit status 0: no error finding, 1: at least one; 2 is a usage or I/O error.
  if (r.status !== 0 && r.status !== 1) {
    throw new Error(`lint ${repo}: exit ${r.status}: ${r.stderr.slice(0, 2000)}`);
  }
  const out = JSON.parse(r.stdout) as {
    findings: {
      file: string;
      rule: string;
      severity: string;
      message: string;
      range: { start: { line: number } };
    }[];
  };
  return out.findings.map((f) => ({
    repo,
    file: path.relative(dir, path.resolve(dir, f.file)).split(path.sep).join('/'),
    line: f.range.start.line + 1,
    rule: f.rule,
    severity: f.severity,
    message: f.message,
  }));
}

function gitHead(): string {
  const git = (...a: string[]) => spawnSync('git', ['-C', root, ...a], { encoding: 'utf8' }).stdout.trim();
  const head = git('rev-parse', '--short', 'HEAD') || 'unknown';
  // The commit that last changed the engine and its rules: what the figures measure.
  const engine = git('log', '-1', '--format=%h', '--', 'server');
  const dirty = git('status', '--porcelain', '--untracked-files=no', '--', 'server');
  return `${head}, engine and rules as of ${engine || 'unknown'}${dirty ? ' (with uncommitted changes in server/)' : ''}`;
}

function main(): void {
  if (!existsSync(cli)) throw new Error(`${cli} is missing: run \`npm run build\` first`);
  const labels = JSON.parse(readFileSync(labelsPath, 'utf8')) as LabelsFile;
  const repos = labels.repositories;

  // The corpus must hold the commits the labels were made on.
  const commitsFile = path.join(corpus, 'COMMITS.txt');
  if (existsSync(commitsFile)) {
    const have = new Map(
      readFileSync(commitsFile, 'utf8')
        .split('\n')
        .filter((l) => l.trim())
        .map((l) => l.trim().split(/\s+/) as [string, string]),
    );
    for (const r of repos) {
      const c = have.get(dirName(r.name));
      if (c && c !== r.commit) throw new Error(`${r.name}: corpus has ${c}, labels are for ${r.commit}`);
    }
  }
  for (const r of repos) {
    const d = path.join(corpus, dirName(r.name));
    if (!existsSync(d) || !statSync(d).isDirectory()) throw new Error(`${d} is missing (corpus: ${corpus})`);
  }
  const extra = readdirSync(corpus).filter(
    (d) =>
      d.includes('+') &&
      statSync(path.join(corpus, d)).isDirectory() &&
      !repos.some((r) => dirName(r.name) === d),
  );
  if (extra.length) process.stderr.write(`not in the labels file, not linted: ${extra.join(', ')}\n`);

  // Labels by repo, file, line and rule; a `match` substring tells apart two findings of one rule on one line.
  const labelsByKey = new Map<string, Label[]>();
  for (const l of labels.labels) {
    const k = key(l.repo, l.file, l.line, l.rule);
    const list = labelsByKey.get(k) ?? [];
    if (list.some((o) => (o.match ?? '') === (l.match ?? '')))
      throw new Error(`duplicate label ${l.repo} ${l.file}:${l.line} ${l.rule}`);
    list.push(l);
    labelsByKey.set(k, list);
  }
  const labelFor = (f: Finding): Label | undefined =>
    (labelsByKey.get(key(f.repo, f.file, f.line, f.rule)) ?? []).find(
      (l) => l.match === undefined || f.message.includes(l.match),
    );

  const findings: Finding[] = [];
  for (const r of repos) {
    process.stderr.write(`lint ${r.name}\n`);
    findings.push(...lint(r.name));
  }

  // Syntax errors are counted per repository (and per file), not labelled.
  const syntax = new Map<
    string,
    { findings: number; hints: number; files: Set<string>; maxPerFile: number }
  >();
  const perFile = new Map<string, number>();
  for (const f of findings.filter((x) => x.rule === 'syntax-error')) {
    const s = syntax.get(f.repo) ?? { findings: 0, hints: 0, files: new Set(), maxPerFile: 0 };
    s.findings++;
    if (f.severity === 'hint') s.hints++;
    s.files.add(f.file);
    const pk = `${f.repo}\u0000${f.file}`;
    perFile.set(pk, (perFile.get(pk) ?? 0) + 1);
    s.maxPerFile = Math.max(s.maxPerFile, perFile.get(pk)!);
    syntax.set(f.repo, s);
  }

  const notAnalysed = new Map<string, number>();
  for (const f of findings.filter((x) => x.rule === 'file-not-analysed'))
    notAnalysed.set(f.repo, (notAnalysed.get(f.repo) ?? 0) + 1);
  const judged = findings.filter((f) => !NOT_JUDGED.has(f.rule));
  interface Row {
    findings: number;
    labelled: number;
    true: number;
    errorsFalse: number;
    hintsFalse: number;
    severities: Set<string>;
  }
  const byRule = new Map<string, Row>();
  const unlabelled: Finding[] = [];
  const used = new Set<Label>();
  const falseByClass = new Map<string, number>();
  for (const f of judged) {
    const row = byRule.get(f.rule) ?? {
      findings: 0,
      labelled: 0,
      true: 0,
      errorsFalse: 0,
      hintsFalse: 0,
      severities: new Set(),
    };
    row.findings++;
    row.severities.add(f.severity);
    const l = labelFor(f);
    if (l) {
      used.add(l);
      row.labelled++;
      if (l.verdict) row.true++;
      else {
        if (f.severity === 'error') row.errorsFalse++;
        if (f.severity === 'hint') row.hintsFalse++;
        const c = l.class ?? '(no class)';
        falseByClass.set(c, (falseByClass.get(c) ?? 0) + 1);
      }
    } else unlabelled.push(f);
    byRule.set(f.rule, row);
  }
  const stale = labels.labels.filter((l) => !used.has(l));

  const total = [...byRule.values()].reduce(
    (a, r) => ({
      findings: a.findings + r.findings,
      labelled: a.labelled + r.labelled,
      true: a.true + r.true,
      errorsFalse: a.errorsFalse + r.errorsFalse,
      hintsFalse: a.hintsFalse + r.hintsFalse,
    }),
    { findings: 0, labelled: 0, true: 0, errorsFalse: 0, hintsFalse: 0 },
  );

  // Where the report and the JSON go does not change the figures: left out of the command shown.
  const shown: string[] = [];
  for (let i = 2; i < process.argv.length; i++) {
    if (process.argv[i] === '--out' || process.argv[i] === '--json') i++;
    else shown.push(process.argv[i]!);
  }
  const cmd = ['npx tsx scripts/precision.ts', ...shown].join(' ');
  const md: string[] = [];
  md.push('# Precision on real NixOS configurations', '');
  md.push(
    'Generated by `scripts/precision.ts` — do not edit by hand. Each repository of the corpus is linted as a user ' +
      'would (`node dist/cli.js lint --format json REPO`); every finding other than `syntax-error` and ' +
      '`file-not-analysed` is joined with its ' +
      'label in [precision-labels.json](precision-labels.json) (judged true or false by reading the whole host: what ' +
      "imports the file, the flake inputs' modules, what the lock pins). Precision = judged true / labelled.",
    '',
  );
  md.push(
    'How findings were judged: a finding is true only if what it says is right for the deployed machine the file ' +
      'belongs to (every host that imports it, with the modules of flake inputs and nixpkgs profiles it uses and the ' +
      'nixpkgs revision its lock pins); when that cannot be established it is labelled false. A hint counts like any ' +
      'other finding: a hint about a value that the host does set is a false alarm. Claims about the text of one file ' +
      '(a kernel device name, a renamed option, a deliberate one-generation limit) are true when the text says so, also ' +
      'in profiles meant for machines outside the repository; claims about the whole host (something is absent, a ' +
      'stage-1 type is in effect) are false for files no host imports. Syntax errors are not labelled; they are counted ' +
      'per repository.',
    '',
  );
  md.push(`- Command: \`npm run build && ${cmd}\``);
  md.push(`- Run: ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC`);
  md.push(`- nixboot: ${gitHead()}`);
  md.push(
    `- Corpus: ${repos.length} repositories, not kept in this repository. To rebuild it, put the tree of each ` +
      'repository at the commit below in `CORPUS/OWNER+NAME` (e.g. `git clone https://github.com/OWNER/NAME` and ' +
      '`git -C NAME archive COMMIT | tar -x -C CORPUS/OWNER+NAME`; files of 4 MiB and more were absent from the snapshots ' +
      'used here) and list `OWNER+NAME COMMIT` lines in `CORPUS/COMMITS.txt`; run with `--corpus CORPUS`.',
  );
  md.push(
    `- Judged findings (all but syntax-error and file-not-analysed): ${total.findings}; labelled ${total.labelled}; judged true ${total.true}; ` +
      `**precision ${pct(total.true, total.labelled)}**; false error-severity findings: ${total.errorsFalse}; false hints: ${total.hintsFalse}`,
  );
  md.push(
    `- Unlabelled findings: ${unlabelled.length}; labels that no finding matches any more: ${stale.length}`,
    '',
  );

  md.push('## Findings per rule', '');
  md.push(
    '| rule | severity | findings | labelled | true | false | precision | false errors | false hints |',
  );
  md.push('| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const [rule, r] of [...byRule.entries()].sort(
    (a, b) => b[1].findings - a[1].findings || a[0].localeCompare(b[0]),
  )) {
    md.push(
      `| ${rule} | ${[...r.severities].sort().join(', ')} | ${r.findings} | ${r.labelled} | ${r.true} | ${r.labelled - r.true} | ${pct(r.true, r.labelled)} | ${r.errorsFalse} | ${r.hintsFalse} |`,
    );
  }
  md.push(
    `| **all** | | ${total.findings} | ${total.labelled} | ${total.true} | ${total.labelled - total.true} | **${pct(total.true, total.labelled)}** | ${total.errorsFalse} | ${total.hintsFalse} |`,
    '',
  );

  if (falseByClass.size) {
    md.push('## False alarms per class', '');
    md.push('What the rule missed, per false finding (classes of precision-labels.json).', '');
    md.push('| class | what the rule missed | false findings |', '| --- | --- | ---: |');
    for (const [c, n] of [...falseByClass.entries()].sort(
      (a, b) => b[1] - a[1] || a[0].localeCompare(b[0]),
    )) {
      md.push(`| ${c} | ${labels.classes?.[c] ?? ''} | ${n} |`);
    }
    md.push('');
  }

  md.push('## Repositories', '');
  md.push(
    '| repository | commit | shape | judged findings | syntax-error findings (files, most in one file, hints) | files not analysed |',
  );
  md.push('| --- | --- | --- | ---: | --- | ---: |');
  for (const r of repos) {
    const n = judged.filter((f) => f.repo === r.name).length;
    const s = syntax.get(r.name);
    md.push(
      `| ${r.name} | \`${r.commit}\` | ${r.shape ?? ''} | ${n} | ${s ? `${s.findings} (${s.files.size}, ${s.maxPerFile}, ${s.hints})` : '0'} | ${notAnalysed.get(r.name) ?? 0} |`,
    );
  }
  md.push('');

  md.push('## Unlabelled findings', '');
  if (!unlabelled.length) md.push('None.');
  for (const f of unlabelled) md.push(`- ${f.repo} \`${f.file}:${f.line}\` ${f.rule} (${f.severity})`);
  md.push('');
  md.push('## Labels no finding matches any more', '');
  md.push(
    'A false label here is a false alarm gone; a true one is a lost true finding (or a moved line). Labels made for ' +
      'findings that only another build gives (a rule branch under review) are listed here too.',
    '',
  );
  if (!stale.length) md.push('None.');
  for (const l of stale)
    md.push(`- ${l.verdict ? 'TRUE' : 'false'}: ${l.repo} \`${l.file}:${l.line}\` ${l.rule}`);
  md.push('');

  writeFileSync(outPath, md.join('\n'));
  if (jsonOut) writeFileSync(jsonOut, JSON.stringify({ findings, unlabelled, stale }, null, 2));
  process.stdout.write(
    `${total.findings} findings, ${total.labelled} labelled, ${total.true} true: precision ${pct(total.true, total.labelled)}; ` +
      `${unlabelled.length} unlabelled, ${stale.length} stale labels -> ${path.relative(process.cwd(), outPath)}\n`,
  );
  if (check && unlabelled.length) process.exit(1);
}

main();
