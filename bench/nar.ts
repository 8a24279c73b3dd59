// Provenance benchmarks (issue "Provenance and verification"):
//  1. `nixboot hash-path` vs `nix hash path` on a ≥ 1 GiB tree (goal: ≥ 1.0×, i.e. not slower);
//  2. `nixboot lock find-rev` over 500 commits vs the manual loop of seed 000 (checkout each
//     commit into a work tree + `nix hash path`), goal ≥ 20× faster.
// Both run the bundled engine (esbuild, as dist/cli.js) in a fresh process, whole-process wall time.
// Sizes: NIXBOOT_BENCH_NAR_MIB (default 1024), NIXBOOT_BENCH_COMMITS (default 500).
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';

const NIX_ENV = { ...process.env, NIX_CONFIG: 'experimental-features = nix-command\nsandbox = false\nsubstituters =' };
const HARNESS = `
import { hashPathCommand } from './server/src/cli/nar';
import { lockCommand } from './server/src/cli/lock';
const [name, ...args] = process.argv.slice(2);
const cmd = name === 'hash-path' ? hashPathCommand : lockCommand;
const io = { cwd: process.cwd(), env: process.env, out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t),
  outBytes: async () => {}, signal: new AbortController().signal };
cmd.run(args, io).then((c) => { process.exitCode = c; }, (e) => { console.error(e.message); process.exitCode = 2; });
`;

function time(cmd: string, args: string[], opts: { env?: NodeJS.ProcessEnv; input?: Buffer } = {}): { ms: number; out: string } {
  const t = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { env: opts.env ?? process.env, input: opts.input, maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  if (r.status !== 0 && !(cmd === process.execPath && r.status === 1)) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr}`);
  return { ms, out: r.stdout };
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function makeBigTree(root: string, mib: number): void {
  const chunk = randomBytes(1024 * 1024);
  const big = Math.floor((mib * 7) / 8 / 64);
  mkdirSync(join(root, 'big'), { recursive: true });
  for (let i = 0; i < big; i++) {
    const b = Buffer.alloc(64 * 1024 * 1024);
    for (let o = 0; o < b.length; o += chunk.length) chunk.copy(b, o);
    b.writeUInt32LE(i, 0);
    writeFileSync(join(root, 'big', `blob${i}`), b);
  }
  const small = ((mib - big * 64) * 1024) / 64;
  for (let i = 0; i < small; i++) {
    const d = join(root, 'small', `d${i % 64}`);
    if (i < 64) mkdirSync(d, { recursive: true });
    writeFileSync(join(d, `f${i}`), chunk.subarray(i % 512, (i % 512) + 64 * 1024), { mode: i % 5 === 0 ? 0o755 : 0o644 });
  }
}

export function makeHistory(repo: string, commits: number): void {
  mkdirSync(repo, { recursive: true });
  spawnSync('git', ['init', '-q', '-b', 'main', repo]);
  const parts: string[] = [];
  const data = (s: string) => `data ${Buffer.byteLength(s)}\n${s}`;
  const file = (i: number, v: number) => `file ${i} version ${v}\n${'lorem ipsum dolor sit amet '.repeat(400)}`;
  for (let c = 0; c < commits; c++) {
    parts.push('commit refs/heads/main', `committer b <b@b> ${1_600_000_000 + c * 3600} +0000`, data(`commit ${c}`));
    if (c === 0) for (let i = 0; i < 400; i++) parts.push(`M 100644 inline src/d${i % 20}/sub${i % 3}/f${i}.txt`, data(file(i, 0)));
    else {
      const i = (c * 37) % 400;
      parts.push(`M 100644 inline src/d${i % 20}/sub${i % 3}/f${i}.txt`, data(file(i, c)));
    }
    parts.push('');
  }
  const r = spawnSync('git', ['-C', repo, 'fast-import', '--quiet'], { input: parts.join('\n') });
  if (r.status !== 0) throw new Error(String(r.stderr));
}

export async function run(): Promise<string> {
  const tmp = mkdtempSync(join(tmpdir(), 'nixboot-bench-nar-'));
  try {
    const harness = join(tmp, 'harness.cjs');
    await build({ stdin: { contents: HARNESS, resolveDir: new URL('..', import.meta.url).pathname, loader: 'ts' }, bundle: true, platform: 'node', format: 'cjs', target: 'node20', outfile: harness, logLevel: 'error' });
    const out: string[] = ['## Provenance: NAR hashing and commit search (`npm run bench -- nar`)', ''];

    // 1. hash-path throughput
    const mib = Number(process.env.NIXBOOT_BENCH_NAR_MIB ?? 1024);
    const tree = join(tmp, 'tree');
    if (mib > 0) {
    makeBigTree(tree, mib);
    time('nix', ['hash', 'path', tree], { env: NIX_ENV }); // warm the page cache
    const ours: number[] = [];
    const nix: number[] = [];
    let same = true;
    for (let i = 0; i < 3; i++) {
      const a = time(process.execPath, [harness, 'hash-path', tree]);
      const b = time('nix', ['hash', 'path', tree], { env: NIX_ENV });
      same &&= a.out === b.out;
      ours.push(a.ms);
      nix.push(b.ms);
    }
    const mo = median(ours);
    const mn = median(nix);
    out.push(
      `### hash-path on ${mib} MiB (${Math.floor((mib * 7) / 8 / 64)} × 64 MiB files + ${((mib - Math.floor((mib * 7) / 8 / 64) * 64) * 1024) / 64} × 64 KiB files), page cache warm, median of 3`,
      '',
      '| tool | wall time | throughput |',
      '|---|---|---|',
      `| \`nixboot hash-path\` | ${(mo / 1000).toFixed(2)} s | ${((mib / mo) * 1000).toFixed(0)} MiB/s |`,
      `| \`nix hash path\` (Nix ${time('nix', ['--version']).out.trim().split(' ').pop()}) | ${(mn / 1000).toFixed(2)} s | ${((mib / mn) * 1000).toFixed(0)} MiB/s |`,
      '',
      `Speed ratio (nix time / nixboot time): **${(mn / mo).toFixed(2)}×** (goal ≥ 1.0×). Same hash printed: ${same ? 'yes' : 'NO'}.`,
      '',
    );
    rmSync(tree, { recursive: true, force: true });
    }

    // 2. find-rev over N commits
    const n = Number(process.env.NIXBOOT_BENCH_COMMITS ?? 500);
    const repo = join(tmp, 'repo');
    makeHistory(repo, n);
    const log = spawnSync('git', ['-C', repo, 'log', '--format=%H %ct'], { encoding: 'utf8' }).stdout.trim().split('\n').map((l) => l.split(' '));
    const [oldest, oldestTime] = log[log.length - 1]!;
    const wt = join(tmp, 'wt');
    mkdirSync(wt);
    spawnSync('git', ['-C', repo, 'archive', oldest!], { encoding: 'buffer' });
    const exp = join(tmp, 'exp');
    mkdirSync(exp);
    spawnSync('sh', ['-c', `git -C ${repo} archive ${oldest} | tar -x -C ${exp}`]);
    const narHash = time('nix', ['hash', 'path', exp], { env: NIX_ENV }).out.trim();
    const lockFile = join(tmp, 'flake.lock');
    const lock = (lastModified?: number) =>
      writeFileSync(lockFile, JSON.stringify({ nodes: { root: { inputs: { src: 'src' } }, src: { locked: { type: 'git', url: 'x', narHash, ...(lastModified ? { lastModified } : {}) }, original: {} } }, root: 'root', version: 7 }));
    lock();
    const worst = time(process.execPath, [harness, 'lock', 'find-rev', '--lock', lockFile, 'src', '--repo', repo, '--limit', String(n)]);
    if (!worst.out.startsWith(oldest!)) throw new Error(`find-rev found ${worst.out}`);
    lock(Number(oldestTime));
    const hinted = time(process.execPath, [harness, 'lock', 'find-rev', '--lock', lockFile, 'src', '--repo', repo, '--limit', String(n)]);
    if (!hinted.out.startsWith(oldest!)) throw new Error(`find-rev (hinted) found ${hinted.out}`);
    // Seed 000's loop: check out each commit (newest first) into a work tree, nix hash path, compare.
    const t0 = process.hrtime.bigint();
    let found = '';
    for (const [oid] of log) {
      spawnSync('git', ['--git-dir', join(repo, '.git'), '--work-tree', wt, 'checkout', '-q', '-f', oid!]);
      const h = spawnSync('nix', ['hash', 'path', wt], { env: NIX_ENV, encoding: 'utf8' }).stdout.trim();
      if (h === narHash) {
        found = oid!;
        break;
      }
    }
    const loopMs = Number(process.hrtime.bigint() - t0) / 1e6;
    if (found !== oldest) throw new Error('baseline loop did not find the commit');
    out.push(
      `### find-rev over ${n} commits (400 files, 20×3 directories, one file changed per commit), target = the oldest commit`,
      '',
      '| method | wall time | vs loop |',
      '|---|---|---|',
      `| checkout into a work tree + \`nix hash path\` per commit (seed 000's loop) | ${(loopMs / 1000).toFixed(2)} s | 1× |`,
      `| \`nixboot lock find-rev\`, no hint (hashes all ${n} trees) | ${(worst.ms / 1000).toFixed(2)} s | **${(loopMs / worst.ms).toFixed(1)}×** |`,
      `| \`nixboot lock find-rev\` with the lock's \`lastModified\` | ${(hinted.ms / 1000).toFixed(2)} s | **${(loopMs / hinted.ms).toFixed(0)}×** |`,
      '',
      'Goal ≥ 20× on the full walk. find-rev reuses each unchanged subtree\'s NAR by tree object id (no git reads for it) and resumes SHA-256 from a saved state at the end of the prefix shared with the previous commit\'s NAR.',
      '',
    );
    return out.join('\n');
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) process.stdout.write(await run());
