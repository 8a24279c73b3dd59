// `nixboot lock verify|find-rev|list`: check flake.lock narHashes against directories and git history.
import { dirname, resolve } from 'node:path';
import { printable } from '../text';
import { describeLocked } from '../nar/flakeLock';
import { findRevForInput, LockedLocationError, readFlakeLock, verifyInput } from '../system/provenance';
import type { CliCommand, CliIO } from './io';
import { CliError } from './io';
import { readArgs, unknownOption } from './args';

/** A commit time as ISO 8601 (a hostile commit's time may be out of Date's range). */
const isoTime = (t: number): string =>
  Number.isFinite(t) && Math.abs(t) < 8.64e12 ? new Date(t * 1000).toISOString() : String(t);

/** An argument as the shell reads it back (single-quoted when needed), escaped for the terminal. */
const quoteArg = (s: string): string =>
  printable(/^[A-Za-z0-9_./:@%+=-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

const USAGE = [
  'Usage:',
  '  nixboot lock list [--lock FILE] [--json]',
  '  nixboot lock verify [--lock FILE] [--json] INPUT [DIR | --git REPO [--rev REV]]',
  '  nixboot lock find-rev [--lock FILE] [--json] [--limit N] [--all] INPUT --repo DIR',
  '',
  'INPUT is an input path from the root (`nixpkgs`, `home-manager/nixpkgs`) or a node key.',
  'verify hashes DIR (for git inputs without .git) or a commit straight from git objects (no',
  'checkout, no git process; REV defaults to locked.rev) and compares with locked.narHash. A',
  "lock's own locked.url / locked.path is read only when you name it as DIR or --git REPO.",
  'find-rev walks all branches (newest LIMIT commits, default 5000), nearest to locked.lastModified',
  'first, and prints the commit(s) whose tree has the narHash. Exit 0 on a match, 1 on a mismatch /',
  'no commit found.',
].join('\n');

interface Parsed {
  lock: string;
  json: boolean;
  git?: string;
  rev?: string;
  repo?: string;
  limit?: number;
  all: boolean;
  rest: string[];
}

function parse(args: string[], io: CliIO): Parsed {
  const p: Parsed = { lock: 'flake.lock', json: false, all: false, rest: [] };
  for (const arg of readArgs(args)) {
    const a = arg.name;
    const val = () => arg.value();
    if (arg.positional) p.rest.push(a);
    else if (a === '--lock') p.lock = val();
    else if (a === '--json') p.json = true;
    else if (a === '--git') p.git = val();
    else if (a === '--rev') p.rev = val();
    else if (a === '--repo') p.repo = val();
    else if (a === '--all') p.all = true;
    else if (a === '--limit') {
      const n = Number(val());
      if (!Number.isInteger(n) || n < 1) throw new CliError('--limit expects a positive integer');
      p.limit = n;
    } else throw unknownOption(arg);
  }
  p.lock = resolve(io.cwd, p.lock);
  return p;
}

async function load(file: string) {
  try {
    return await readFlakeLock(file);
  } catch (e) {
    throw new CliError(`${file}: ${(e as Error).message}`);
  }
}

export const lockCommand: CliCommand = {
  name: 'lock',
  summary: 'verify flake.lock narHashes against a directory or git commit; find the matching commit',
  usage: USAGE,
  async run(args, io) {
    const [sub, ...rest] = args;
    if (sub !== 'verify' && sub !== 'find-rev' && sub !== 'list')
      throw new CliError(`expected 'list', 'verify' or 'find-rev'\n${USAGE}`);
    const p = parse(rest, io);
    const lock = await load(p.lock);
    if (sub === 'list') {
      if (p.json) io.out(`${JSON.stringify(lock.inputs, null, 2)}\n`);
      else
        for (const i of lock.inputs)
          io.out(
            `${printable(i.paths[0] ?? i.key).padEnd(24)} ${printable(describeLocked(i.locked)).padEnd(48)} ${printable(i.locked.narHash ?? '-')}  ${i.storePath ?? ''}\n`,
          );
      return 0;
    }
    const name = p.rest[0];
    if (!name) throw new CliError(`no INPUT given\n${USAGE}`);
    try {
      if (sub === 'verify') {
        if (p.rest.length > 2) throw new CliError('too many arguments');
        const r = await verifyInput(lock, name, {
          dir: p.rest[1] ? resolve(io.cwd, p.rest[1]) : undefined,
          git: p.git ? { repo: resolve(io.cwd, p.git), rev: p.rev } : undefined,
          signal: io.signal,
          lockDir: dirname(p.lock),
        }).catch((e: unknown) => {
          // The lock's own locked.url / locked.path is read only when named on the command line.
          if (e instanceof LockedLocationError)
            throw new CliError(
              `${e.message}; to read it, name it: nixboot lock verify --lock ${quoteArg(p.lock)} ${quoteArg(name)} ${e.kind === 'git' ? '--git ' : ''}${quoteArg(e.path)}`,
            );
          throw e;
        });
        if (p.json) io.out(`${JSON.stringify(r, null, 2)}\n`);
        else {
          io.out(`${r.match ? 'verified' : 'MISMATCH'}: ${printable(r.input)} (${printable(r.source)})\n`);
          io.out(
            `  locked.narHash  ${printable(r.expected)}\n  computed        ${r.actual}\n  hashed          ${printable(r.hashed)}\n`,
          );
          if (r.storePath) io.out(`  store path      ${r.storePath}\n`);
          if (r.commit)
            io.out(
              `  commit          ${r.commit.oid} ${isoTime(r.commit.time)} ${printable(r.commit.subject)}\n`,
            );
          for (const n of r.notes) io.out(`  note: ${printable(n)}\n`);
          io.out(`  proof: ${printable(r.proof)}\n`);
        }
        return r.match ? 0 : 1;
      }
      if (!p.repo) throw new CliError('find-rev needs --repo DIR');
      const r = await findRevForInput(lock, name, {
        repo: resolve(io.cwd, p.repo),
        limit: p.limit,
        all: p.all,
        signal: io.signal,
      });
      if (p.json) io.out(`${JSON.stringify({ ...r, input: r.input.key }, null, 2)}\n`);
      else {
        if (r.matches.length === 0)
          io.out(`no commit among ${r.commitsConsidered} has narHash ${r.narHash}\n`);
        for (const c of r.matches) io.out(`${c.oid} ${isoTime(c.time)} ${printable(c.subject)}\n`);
        io.err(
          `considered ${r.commitsConsidered} commits, hashed ${r.treesHashed} distinct trees (${r.stats.treesRead} tree objects read, ${r.stats.treesReused} reused, ${r.stats.blobsRead} blobs${r.lanes ? `; hashed on ${r.lanes} worker threads` : ''})\n`,
        );
        if (r.matches.length) io.out(`proof: ${printable(r.proof)}\n`);
      }
      return r.matches.length ? 0 : 1;
    } catch (e) {
      if (e instanceof CliError) throw e;
      throw new CliError(
        (e as Error).message.replace(/^needsCheckout: (.*)$/s, '$1 (pass DIR or --git REPO)'),
      );
    }
  },
};
