// Provenance benchmarks (issue "Provenance and verification"):
//  1. `nixboot hash-path` vs `nix hash path` on a ≥ 1 GiB tree (goal: ≥ 1.0×, i.e. not slower);
//  2. `nixboot lock find-rev` over 500 commits vs the manual loop of seed 000 (checkout each
//     commit into a work tree + `nix hash path`), goal ≥ 20× faster.
// Both run `nixboot` as installed: the dist/cli.js launcher and the bundle it picks (built here
// with esbuild as scripts/build.mjs builds them), a fresh process each time, whole-process wall
// time. Sizes: NIXBOOT_BENCH_NAR_MIB (default 1024), NIXBOOT_BENCH_COMMITS (default 500).
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { nixEnv } from '../test/nixEnv';

const NIX_ENV = nixEnv();
// NODE_EXTRA_CA_CERTS makes every node process parse a CA bundle before any user code runs
// (~40 ms on this machine); nixboot opens no TLS connection, so it is timed without it (and the
// hash-path figure with it is reported too).
const { NODE_EXTRA_CA_CERTS: extraCa, ...NODE_ENV } = process.env;
const ROOT = new URL('..', import.meta.url).pathname;

/** Builds the CLI as scripts/build.mjs does (launcher + per-command bundles) into `dir`; returns cli.js. */
async function buildCli(dir: string): Promise<string> {
  const common = {
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    logLevel: 'error',
    absWorkingDir: ROOT,
  } as const;
  await Promise.all([
    build({
      ...common,
      entryPoints: ['server/src/cli/launcher.ts'],
      outfile: join(dir, 'cli.js'),
      external: ['./cli-initrd.js', './cli-nar.js', './cli-lock.js', './cli-main.js'],
    }),
    build({ ...common, entryPoints: ['server/src/cli/bin.ts'], outfile: join(dir, 'cli-main.js') }),
    build({ ...common, entryPoints: ['server/src/cli/binInitrd.ts'], outfile: join(dir, 'cli-initrd.js') }),
    build({ ...common, entryPoints: ['server/src/cli/binNar.ts'], outfile: join(dir, 'cli-nar.js') }),
    build({ ...common, entryPoints: ['server/src/cli/binLock.ts'], outfile: join(dir, 'cli-lock.js') }),
  ]);
  writeFileSync(join(dir, 'package.json'), '{"type": "commonjs"}\n');
  return join(dir, 'cli.js');
}

function time(
  cmd: string,
  args: string[],
  opts: { env?: NodeJS.ProcessEnv; input?: Buffer } = {},
): { ms: number; out: string; err: string } {
  const t = process.hrtime.bigint();
  const r = spawnSync(cmd, args, {
    env: opts.env ?? process.env,
    input: opts.input,
    maxBuffer: 64 * 1024 * 1024,
    encoding: 'utf8',
  });
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  if (r.status !== 0 && !(cmd === process.execPath && r.status === 1))
    throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr}`);
  return { ms, out: r.stdout, err: r.stderr };
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
    writeFileSync(join(d, `f${i}`), chunk.subarray(i % 512, (i % 512) + 64 * 1024), {
      mode: i % 5 === 0 ? 0o755 : 0o644,
    });
  }
}

export function makeHistory(repo: string, commits: number): void {
  mkdirSync(repo, { recursive: true });
  spawnSync('git', ['init', '-q', '-b', 'main', repo]);
  const parts: string[] = [];
  const data = (s: string) => `data ${Buffer.byteLength(s)}\n${s}`;
  const file = (i: number, v: number) =>
    `file ${i} version ${v}\n${'lorem ipsum dolor sit amet '.repeat(400)}`;
  for (let c = 0; c < commits; c++) {
    parts.push(
      'commit refs/heads/main',
      `committer b <b@b> ${1_600_000_000 + c * 3600} +0000`,
      data(`commit ${c}`),
    );
    if (c === 0)
      for (let i = 0; i < 400; i++)
        parts.push(`M 100644 inline src/d${i % 20}/sub${i % 3}/f${i}.txt`, data(file(i, 0)));
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
    mkdirSync(join(tmp, 'cli'));
    const cli = await buildCli(join(tmp, 'cli'));
    const load = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
    const out: string[] = ['## Provenance: NAR hashing and commit search (`npm run bench -- nar`)', ''];

    // 1. hash-path throughput
    const mib = Number(process.env.NIXBOOT_BENCH_NAR_MIB ?? 1024);
    const tree = join(tmp, 'tree');
    if (mib > 0) {
      makeBigTree(tree, mib);
      // Page cache warm for both: each tool reads the whole tree once before timing.
      time('nix', ['hash', 'path', tree], { env: NIX_ENV });
      time(process.execPath, [cli, 'hash-path', tree], { env: NODE_ENV });
      const loadBefore = load();
      const ours: number[] = [];
      const nix: number[] = [];
      let same = true;
      const RUNS = 5;
      for (let i = 0; i < RUNS; i++) {
        // alternate which tool goes first
        const first = i % 2 === 0;
        const b0 = first ? undefined : time('nix', ['hash', 'path', tree], { env: NIX_ENV });
        const a = time(process.execPath, [cli, 'hash-path', tree], { env: NODE_ENV });
        const b = b0 ?? time('nix', ['hash', 'path', tree], { env: NIX_ENV });
        same &&= a.out === b.out && a.out.startsWith('sha256-');
        ours.push(a.ms);
        nix.push(b.ms);
      }
      const mo = median(ours);
      const mn = median(nix);
      const withCa = extraCa
        ? median([0, 1, 2].map(() => time(process.execPath, [cli, 'hash-path', tree]).ms))
        : undefined;
      // Start-up baselines: both tools on a one-byte file.
      const one = join(tmp, 'one');
      writeFileSync(one, 'x');
      const so = median(
        [0, 1, 2, 3, 4].map(() => time(process.execPath, [cli, 'hash-path', one], { env: NODE_ENV }).ms),
      );
      const sn = median([0, 1, 2, 3, 4].map(() => time('nix', ['hash', 'path', one], { env: NIX_ENV }).ms));
      out.push(
        `### hash-path on ${mib} MiB (${Math.floor((mib * 7) / 8 / 64)} × 64 MiB files + ${((mib - Math.floor((mib * 7) / 8 / 64) * 64) * 1024) / 64} × 64 KiB files), page cache warm, median of ${RUNS} (alternating order)`,
        '',
        '| tool | wall time | throughput | start-up (1-byte file) |',
        '|---|---|---|---|',
        `| \`nixboot hash-path\` (dist/cli.js → cli-nar.js) | ${(mo / 1000).toFixed(2)} s | ${((mib / mo) * 1000).toFixed(0)} MiB/s | ${so.toFixed(0)} ms |`,
        `| \`nix hash path\` (Nix ${time('nix', ['--version']).out.trim().split(' ').pop()}) | ${(mn / 1000).toFixed(2)} s | ${((mib / mn) * 1000).toFixed(0)} MiB/s | ${sn.toFixed(0)} ms |`,
        '',
        `Speed ratio (nix time / nixboot time): **${(mn / mo).toFixed(2)}×** (goal ≥ 1.0×). Same hash printed: ${same ? 'yes' : 'NO'}. Load average before: ${loadBefore}.`,
        ...(withCa
          ? [
              '',
              `nixboot is timed without NODE_EXTRA_CA_CERTS, which this machine sets and which costs every node start ~40 ms; with it, \`nixboot hash-path\` took ${(withCa / 1000).toFixed(2)} s (${(mn / withCa).toFixed(2)}×, median of 3).`,
            ]
          : []),
        '',
        'nixboot reads each file straight into one of four 4 MiB shared buffers while a worker thread hashes the ones filled before (SHA-256 of one stream cannot be split, so hashing — about 0.6 s per GiB here — is the floor for both tools); `hash-path` starts from its own small bundle.',
        '',
      );
      rmSync(tree, { recursive: true, force: true });
    }

    // 2. find-rev over N commits
    const n = Number(process.env.NIXBOOT_BENCH_COMMITS ?? 500);
    const repo = join(tmp, 'repo');
    makeHistory(repo, n);
    const log = spawnSync('git', ['-C', repo, 'log', '--format=%H %ct'], { encoding: 'utf8' })
      .stdout.trim()
      .split('\n')
      .map((l) => l.split(' '));
    const [oldest, oldestTime] = log[log.length - 1]!;
    const wt = join(tmp, 'wt');
    mkdirSync(wt);
    const exp = join(tmp, 'exp');
    mkdirSync(exp);
    spawnSync('sh', ['-c', `git -C ${repo} archive ${oldest} | tar -x -C ${exp}`]);
    const narHash = time('nix', ['hash', 'path', exp], { env: NIX_ENV }).out.trim();
    const lockFile = join(tmp, 'flake.lock');
    const lock = (lastModified?: number) =>
      writeFileSync(
        lockFile,
        JSON.stringify({
          nodes: {
            root: { inputs: { src: 'src' } },
            src: {
              locked: { type: 'git', url: 'x', narHash, ...(lastModified ? { lastModified } : {}) },
              original: {},
            },
          },
          root: 'root',
          version: 7,
        }),
      );
    lock();
    const findRev = () =>
      time(
        process.execPath,
        [cli, 'lock', 'find-rev', '--lock', lockFile, 'src', '--repo', repo, '--limit', String(n)],
        { env: NODE_ENV },
      );
    findRev(); // git objects in the page cache
    const loadFind = load();
    const walks = [findRev(), findRev(), findRev()];
    for (const w of walks) if (!w.out.startsWith(oldest!)) throw new Error(`find-rev found ${w.out}`);
    const worst = { ms: median(walks.map((w) => w.ms)), err: walks[0]!.err.trim() };
    lock(Number(oldestTime));
    const hintedRuns = [findRev(), findRev(), findRev()];
    for (const w of hintedRuns)
      if (!w.out.startsWith(oldest!)) throw new Error(`find-rev (hinted) found ${w.out}`);
    const hinted = { ms: median(hintedRuns.map((w) => w.ms)) };
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
      `### find-rev over ${n} commits (400 files, 20×3 directories, one file changed per commit), target = the oldest commit, median of 3`,
      '',
      '| method | wall time | vs loop |',
      '|---|---|---|',
      `| checkout into a work tree + \`nix hash path\` per commit (seed 000's loop) | ${(loopMs / 1000).toFixed(2)} s | 1× |`,
      `| \`nixboot lock find-rev\`, no hint (hashes all ${n} trees) | ${(worst.ms / 1000).toFixed(2)} s | **${(loopMs / worst.ms).toFixed(1)}×** |`,
      `| \`nixboot lock find-rev\` with the lock's \`lastModified\` | ${(hinted.ms / 1000).toFixed(2)} s | **${(loopMs / hinted.ms).toFixed(0)}×** |`,
      '',
      `Goal ≥ 20× on the full walk. Load average before: ${loadFind}. The walk reported: \`${worst.err}\`.`,
      '',
      "find-rev reuses each unchanged subtree's NAR by tree object id and each file's by blob id (a commit costs the trees on the changed path and one blob read), and hashes each commit's NAR from the SHA-256 state saved (every 64 KiB) before the first byte that differs from the previous commit's: about half of each 4.3 MB NAR, ~1.1 GB in all, ~0.65 s of SHA-256 on one core. After the first 16 trees (where a `rev`/`lastModified` hint usually ends the search), the rest of history is split into contiguous runs hashed on one worker thread per core, which read the NAR pieces in shared memory (no copies).",
      '',
    );
    return out.join('\n');
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) process.stdout.write(await run());
