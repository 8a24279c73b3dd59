// The fuzz targets: each takes bytes, runs one engine reader on them, and checks what must hold
// whatever the input. A target may throw its reader's documented error type (the input was
// rejected with a clear message); anything else — another exception, a broken invariant, an
// uncaught error in a callback, a hang, running out of memory — is a crash (fuzz/engine.ts).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { createHash } from 'node:crypto';
import { parse, printTree, debugTree } from '../server/src/syntax/index';
import { reparse } from '../server/src/syntax/incremental';
import type { SyntaxNode } from '../server/src/syntax/tree';
import { scriptFromString } from '../server/src/shell/source';
import { analyzeShell } from '../server/src/shell/analyze';
import { CpioReader, InitrdError, type CpioEntry, type CpioSink } from '../server/src/initrd/cpio';
import { walkSegments } from '../server/src/initrd/segments';
import { openArchive } from '../server/src/initrd/archive';
import { NarFormatError, NarWriter, parseNar, sinkTarget, type NarEntry } from '../server/src/nar/nar';
import {
  FlakeLockError,
  describeLocked,
  findInput,
  narHashHex,
  parseFlakeLock,
} from '../server/src/nar/flakeLock';
import { GitObjectReader, GitTreeHasher, parseTree } from '../server/src/system/git';
import { GitStore, GitStoreError, parseCommit } from '../server/src/system/gitStore';

import { TARGET_INFO, type TargetInfo } from './catalogue';
import { splitGitInput } from './shared';

export interface Target extends TargetInfo {
  /** Tokens the mutator inserts (keywords, magics, field values). */
  readonly dict: readonly (string | Uint8Array)[];
  /**
   * A structure-aware mutation (used for half the inputs when present): returns a variant of a
   * corpus entry that still has the input's structure, or undefined when it cannot.
   */
  mutate?(data: Buffer, below: (n: number) => number): Buffer | undefined;
  /** Errors that mean "input rejected cleanly". */
  expected(e: unknown): boolean;
  run(data: Buffer): void | Promise<void>;
}

/** A broken invariant: always a crash. */
class InvariantError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvariantError';
  }
}

function check(cond: unknown, message: string): asserts cond {
  if (!cond) throw new InvariantError(message);
}

const none = () => false;

// ---------------------------------------------------------------------------------------------
// Nix parser

const NIX_DICT = [
  '{',
  '}',
  '[',
  ']',
  '(',
  ')',
  ';',
  ':',
  ',',
  '.',
  '...',
  '@',
  '=',
  '?',
  '++',
  '//',
  '+',
  '-',
  '*',
  '/',
  '!',
  '==',
  '!=',
  '<',
  '>',
  '<=',
  '>=',
  '&&',
  '||',
  '->',
  '|>',
  '<|',
  ' ',
  '\n',
  '\t',
  '\r\n',
  'or',
  'let',
  'in',
  'rec',
  'with',
  'inherit',
  'if',
  'then',
  'else',
  'assert',
  '"',
  "''",
  "'''",
  "''$",
  "''\\",
  '${',
  '$',
  '#',
  '/*',
  '*/',
  './p',
  '~/p',
  '<nixpkgs>',
  'http://x.org/y',
  '1',
  '1.5',
  '.5e3',
  '\\',
  "'",
  '\\"',
  '\\${',
  'a.b.c',
  '"${x}"',
  'x: x',
  '{ a, b ? 1, ... }@args:',
  'boot.initrd.',
  'é',
  '😀',
  '\0',
];

/** Parse never throws, prints back the input, and an incremental reparse after an edit equals a full parse. */
function runParser(data: Buffer): void {
  const text = data.toString('utf8');
  const r = parse(text);
  check(printTree(r.root) === text, 'the tree does not print back the input');
  // an edit chosen from the input's own bytes: replace [a, b) by a dictionary token
  const n = data.length;
  if (n < 2) return;
  const a = (data[0]! * 257 + data[n - 1]!) % text.length;
  const b = Math.min(text.length, a + (data[1]! % 4));
  const tok = NIX_DICT[(data[n - 2] ?? 0) % NIX_DICT.length] as string;
  const edited = text.slice(0, a) + tok + text.slice(b);
  const inc = reparse({ text, root: r.root, errors: r.errors }, edited);
  const full = parse(edited);
  check(printTree(inc.root) === edited, 'the reparsed tree does not print back the edited text');
  check(
    inc.errors.length === full.errors.length,
    `incremental reparse: ${inc.errors.length} errors, full parse: ${full.errors.length}`,
  );
  check(debugTree(inc.root) === debugTree(full.root), 'incremental reparse differs from a full parse');
}

// ---------------------------------------------------------------------------------------------
// Shell mapping

const SHELL_DICT = [
  ' ',
  '\n',
  ';',
  '&&',
  '||',
  '|',
  '&',
  '(',
  ')',
  '{',
  '}',
  '$(',
  '`',
  '"',
  "'",
  '\\',
  '$',
  '${x}',
  '$((1+2))',
  '<<EOF\n',
  '\nEOF\n',
  '<<-EOF\n',
  '>',
  '>>',
  '2>&1',
  '<',
  '<(',
  'if ',
  'then ',
  'fi',
  'else ',
  'elif ',
  'case ',
  ' in ',
  'esac',
  ';;',
  'for ',
  'while ',
  'do ',
  'done',
  'function ',
  'f() {',
  'exit 1',
  'exec ',
  'eval ',
  'source ',
  '. ',
  'set -e',
  'trap ',
  'cryptsetup',
  'mount',
  'nix-collect-garbage -d',
  'echo',
  '[[ ',
  ' ]]',
  '# c',
  '\t',
  "''",
  "'''",
  "''$",
  "''\\n",
  '${',
  '${pkgs.x}',
  '}',
  '"${a}"',
];

function strings(n: SyntaxNode, out: SyntaxNode[]): SyntaxNode[] {
  if (n.kind === 'String' || n.kind === 'IndString') out.push(n);
  for (const c of n.children) if (c.type === 'node') strings(c, out);
  return out;
}

/**
 * The input is the body of an indented Nix string (as in `postDeviceCommands = '' … ''`): every
 * string in it is mapped to shell text, analysed, and each shell offset maps back into its string.
 */
function runShell(data: Buffer): void {
  const body = data.toString('utf8');
  const file = `{ x = ''\n${body}\n''; }\n`;
  const r = parse(file);
  for (const s of strings(r.root, [])) {
    const script = scriptFromString(s);
    let last = -1;
    for (let i = 0; i <= script.text.length; i++) {
      const o = script.toFile(i);
      check(
        o >= s.start && o <= s.end,
        `shell offset ${i} maps to ${o}, outside its string [${s.start}, ${s.end})`,
      );
      check(o >= last, `shell offsets map backwards at ${i}`);
      last = o;
    }
    const a = analyzeShell(script.text);
    for (const c of a.commands) {
      if (!c.name) continue;
      const rg = script.rangeToFile(c.name.start, c.stmtEnd);
      check(
        rg.start >= s.start && rg.end <= s.end && rg.start <= rg.end,
        `command range [${rg.start}, ${rg.end}) outside its string`,
      );
    }
  }
}

// ---------------------------------------------------------------------------------------------
// cpio reader

const CPIO_DICT = [
  '070701',
  '070702',
  '070707',
  'TRAILER!!!\0',
  '00000000',
  'FFFFFFFF',
  '7FFFFFFF',
  '000081A4',
  '000041ED',
  '0000A1FF',
  '00002000',
  '00001000',
  '0000000B',
  '00001001',
  '\0\0\0\0',
  '..',
  '/',
  './',
];

class MemSink implements CpioSink {
  position = 0;
  entries: CpioEntry[] = [];
  write(b: Uint8Array): void {
    this.position += b.length;
  }
  entry(e: CpioEntry): void {
    this.entries.push(e);
  }
}

/** The reader fed in chunks whose sizes come from the input: entries are sane and the same for any chunking. */
function runCpio(data: Buffer): void {
  const whole = readCpio(data, [data.length]);
  const cuts = [1 + ((data[data.length - 1] ?? 0) % 7), 3, 110, 1 + ((data[0] ?? 0) % 64)];
  const split = readCpio(data, cuts);
  check(whole.error === split.error, `chunking changes the outcome: ${whole.error} vs ${split.error}`);
  check(JSON.stringify(whole.entries) === JSON.stringify(split.entries), 'chunking changes the entries');
  if (whole.error !== undefined) throw new InitrdError(whole.error);
  for (const e of whole.entries) {
    check(
      e.path.startsWith('/') && !e.path.split('/').includes('..'),
      `bad entry path ${JSON.stringify(e.path)}`,
    );
    check(Number.isSafeInteger(e.size) && e.size >= 0, `bad size ${e.size}`);
    // (offsets are not in entry order: a hardlink's data may come with a later name of its group)
    if (e.type === 'file')
      check(
        e.dataOffset >= 0 && e.dataOffset + e.size <= whole.written,
        `${e.path}: data [${e.dataOffset}, +${e.size}) outside the ${whole.written} bytes written`,
      );
  }
}

function readCpio(data: Buffer, cuts: number[]): { entries: CpioEntry[]; written: number; error?: string } {
  const sink = new MemSink();
  const r = new CpioReader(sink, 0, 10_000);
  try {
    let i = 0;
    let k = 0;
    while (i < data.length) {
      const n = cuts[k++ % cuts.length]!;
      r.push(data.subarray(i, i + n));
      i += n;
    }
    r.end();
    return { entries: sink.entries, written: sink.position };
  } catch (e) {
    if (!(e instanceof InitrdError)) throw e;
    return { entries: sink.entries, written: sink.position, error: e.message };
  }
}

// ---------------------------------------------------------------------------------------------
// Decompressors (segments.ts, the JavaScript decoders; bzip2 and lzma go through the system's
// bzip2/xz, as segments.ts does)

let scratch: string | undefined;
function scratchDir(): string {
  scratch ??= fs.mkdtempSync(
    path.join(fs.existsSync('/dev/shm') ? '/dev/shm' : os.tmpdir(), 'nixboot-fuzz-'),
  );
  return scratch;
}
export function removeScratch(): void {
  if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
  scratch = undefined;
}

const MAGIC: Record<string, number[]> = {
  gzip: [0x1f, 0x8b],
  zstd: [0x28, 0xb5, 0x2f, 0xfd],
  xz: [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00],
  lzma: [0x5d, 0x00, 0x00],
  bzip2: [0x42, 0x5a, 0x68],
  'lz4-legacy': [0x02, 0x21, 0x4c, 0x18],
  lz4: [0x04, 0x22, 0x4d, 0x18],
};

/** Limits small enough that a bomb is found in milliseconds, as the real limits are in seconds. */
const FUZZ_LIMITS = { maxTotal: 64 * 2 ** 20, maxRatio: 1000, maxEntries: 10_000 };

/** The input, after the codec's magic, is one segment; walkSegments decodes it with the JavaScript decoder. */
function decompressTarget(codec: string): Target {
  const magic = Buffer.from(MAGIC[codec]!);
  return {
    ...info(`decompress-${codec}`),
    dict: [...CPIO_DICT, magic, '\0\0\0\0', '\xff\xff\xff\xff'],
    expected: (e) => e instanceof InitrdError,
    async run(data) {
      const file = path.join(scratchDir(), 'segment');
      fs.writeFileSync(file, Buffer.concat([magic, data]));
      const fd = fs.openSync(file, 'r');
      try {
        const sink = new MemSink();
        const size = magic.length + data.length;
        const segs = await walkSegments(fd, 0, size, sink, { native: false, limits: FUZZ_LIMITS });
        let at = 0;
        for (const s of segs) {
          check(
            s.offset >= at && s.compressedSize > 0,
            `segment at ${s.offset} overlaps the previous one or is empty`,
          );
          at = s.offset + s.compressedSize;
        }
        check(at <= size, `segments end at ${at}, past the input (${size})`);
      } finally {
        fs.closeSync(fd);
      }
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Archive index (archive.ts): the whole open → index → list/resolve/read path, PE (UKI) included

let serial = 0;
async function runArchive(data: Buffer): Promise<void> {
  const dir = scratchDir();
  const file = path.join(dir, `image-${serial++}`);
  fs.writeFileSync(file, data);
  try {
    const a = await openArchive(file, {
      cacheDir: path.join(dir, 'cache'),
      native: false,
      limits: FUZZ_LIMITS,
      cacheLimit: 0,
    });
    check(a.get('/')?.type === 'dir', 'the root is not a directory');
    let n = 0;
    for (const e of a.entries) {
      const listed = a.list(e.path);
      check(e.type === 'dir' || listed.length === 0, `${e.path} is a ${e.type} with children`);
      a.resolve(e.path);
      if (e.type === 'file' && n++ < 8) {
        const b = await a.readEntry(e);
        check(b.length === e.size, `${e.path}: read ${b.length} bytes of ${e.size}`);
      }
    }
  } finally {
    fs.rmSync(file, { force: true });
  }
}

// ---------------------------------------------------------------------------------------------
// NAR reader

const NAR_DICT = [
  'nix-archive-1',
  '(',
  ')',
  'type',
  'regular',
  'executable',
  'contents',
  'symlink',
  'target',
  'directory',
  'entry',
  'name',
  'node',
  '..',
  '.',
  '/',
]
  .map((s) => narStr(s))
  .concat([Buffer.alloc(8), Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x1f, 0])]);

function narStr(s: string): Buffer {
  const b = Buffer.from(s);
  const len = Buffer.alloc(8);
  len.writeUInt32LE(b.length, 0);
  return Buffer.concat([len, b, Buffer.alloc((8 - (b.length % 8)) % 8)]);
}

/** Parses; the entries are sane; a NAR with only ASCII names and targets is rewritten byte for byte. */
function runNar(data: Buffer): void {
  const entries = parseNar(new Uint8Array(data));
  const seen = new Set<string>();
  for (const e of entries) {
    check(!seen.has(e.path), `path ${e.path} twice`);
    seen.add(e.path);
    if (e.type === 'regular')
      check(e.offset >= 0 && e.offset + e.size <= data.length, 'contents outside the NAR');
  }
  if (
    entries.some(
      (e) => /[^\x20-\x7e]/.test(e.path) || (e.type === 'symlink' && /[^\x20-\x7e]/.test(e.target)),
    )
  )
    return;
  const again = rewriteNar(entries, data);
  check(again.equals(data), 'the NAR does not rewrite to the same bytes');
}

function rewriteNar(entries: readonly NarEntry[], data: Buffer): Buffer {
  const chunks: Buffer[] = [];
  const w = new NarWriter(sinkTarget((c) => chunks.push(Buffer.from(c))));
  w.magic();
  const open: string[] = []; // directories whose entries are being written
  const leave = (p: string) => {
    while (
      open.length &&
      !(p.startsWith(open[open.length - 1]! + '/') || (open[open.length - 1] === '' && p !== ''))
    ) {
      open.pop();
      w.endDirectory();
      if (open.length) w.endEntry();
    }
  };
  for (const e of entries) {
    leave(e.path);
    if (e.path !== '') w.beginEntry(e.path.slice(e.path.lastIndexOf('/') + 1));
    if (e.type === 'directory') {
      w.beginDirectory();
      open.push(e.path);
      continue;
    }
    if (e.type === 'regular') w.regular(e.executable, data.subarray(e.offset, e.offset + e.size));
    else w.symlink(e.target);
    if (e.path !== '') w.endEntry();
  }
  while (open.length) {
    open.pop();
    w.endDirectory();
    if (open.length) w.endEntry();
  }
  w.flush();
  return Buffer.concat(chunks);
}

// ---------------------------------------------------------------------------------------------
// flake.lock

function runFlakeLock(data: Buffer): void {
  const lock = parseFlakeLock(data.toString('utf8'));
  for (const i of lock.inputs) {
    describeLocked(i.locked);
    narHashHex(i.locked);
    check(
      lock.inputs.some((j) => j.paths.includes(i.key)) || findInput(lock, i.key) === i,
      `findInput(${i.key}) finds another input`,
    );
    for (const p of i.paths)
      check(findInput(lock, p).paths.includes(p), `findInput(${p}) finds an input without that path`);
  }
}

/**
 * JSON-aware mutation: parses the input and changes one value — replaced by a copy of another
 * value of the document, wrapped in an array, appended to an array, a key dropped or renamed to
 * another key of the document, or an odd scalar — so that mutations reach the lock's semantics
 * (follows lists, cycles, missing nodes) instead of stopping at JSON.parse.
 */
function mutateJson(data: Buffer, below: (n: number) => number): Buffer | undefined {
  let doc: unknown;
  try {
    doc = JSON.parse(data.toString('utf8'));
  } catch {
    return undefined;
  }
  const slots: { parent: Record<string, unknown> | unknown[]; key: string | number }[] = [];
  const values: unknown[] = [];
  const keys: string[] = [];
  const walk = (v: unknown, depth: number): void => {
    if (depth > 32 || typeof v !== 'object' || v === null) return;
    if (Array.isArray(v))
      v.forEach((x, i) => (slots.push({ parent: v, key: i }), values.push(x), walk(x, depth + 1)));
    else
      for (const [k, x] of Object.entries(v)) {
        slots.push({ parent: v as Record<string, unknown>, key: k });
        values.push(x);
        keys.push(k);
        walk(x, depth + 1);
      }
  };
  walk(doc, 0);
  if (slots.length === 0) return undefined;
  const slot = slots[below(slots.length)]!;
  const get = () => (slot.parent as Record<string | number, unknown>)[slot.key];
  const set = (x: unknown) => ((slot.parent as Record<string | number, unknown>)[slot.key] = x);
  const copy = (x: unknown) => (x === undefined ? null : JSON.parse(JSON.stringify(x)));
  const strs = [...keys, ...values.filter((x): x is string => typeof x === 'string')];
  switch (below(7)) {
    case 0:
      set(copy(values[below(values.length)]));
      break;
    case 1:
      set([get()]);
      break;
    case 2: {
      const v = get();
      if (Array.isArray(v)) v.splice(below(v.length + 1), 0, strs[below(strs.length)]);
      else set([strs[below(strs.length)], v]);
      break;
    }
    case 3:
      if (Array.isArray(slot.parent)) slot.parent.splice(slot.key as number, 1);
      else delete slot.parent[slot.key as string];
      break;
    case 4:
      if (!Array.isArray(slot.parent)) {
        const v = get();
        delete slot.parent[slot.key as string];
        slot.parent[keys[below(keys.length)]!] = v;
      }
      break;
    case 5:
      set([0, -1, 1e300, 2 ** 53 + 1, null, true, '', 'x'.repeat(300), {}, []][below(10)]);
      break;
    default:
      set(strs[below(strs.length)]);
  }
  return Buffer.from(JSON.stringify(doc, null, below(2) ? 2 : undefined));
}

// ---------------------------------------------------------------------------------------------
// git repositories (system/gitStore.ts): what an attacker controls in a committed repository —
// a loose object, a pack and its index, packed-refs — read through GitStore's public API, the
// tree and commit parsers, and GitTreeHasher over the first tree read.

const GIT_DICT = [
  'blob ',
  'tree ',
  'commit ',
  'tag ',
  '\0',
  '100644 ',
  '100755 ',
  '120000 ',
  '40000 ',
  '160000 ',
  'tree ',
  'parent ',
  'committer a <a> 1 +0000\n',
  'object ',
  '\n\n',
  'PACK',
  Buffer.from([0, 0, 0, 2]),
  Buffer.from([0xff, 0x74, 0x4f, 0x63]),
  Buffer.from([0x78, 0x9c]),
  Buffer.from([0x78, 0x01]),
  Buffer.from([0x60]),
  Buffer.from([0x70]),
  Buffer.from([0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01]),
  Buffer.from([0xff, 0xff, 0xff, 0x7f]),
  Buffer.from([0, 0, 0, 0]),
  ' refs/heads/main\n',
  ' refs/tags/v1\n',
  '# pack-refs with: peeled fully-peeled sorted \n',
  '^',
  '0'.repeat(40),
  'f'.repeat(40),
];

const sha1 = (b: Buffer | string) => createHash('sha1').update(b).digest('hex');

let gitRepo: string | undefined;
/** The worker's repository (bare layout), made once and overwritten per input. */
function fuzzRepo(): string {
  if (!gitRepo) {
    gitRepo = path.join(scratchDir(), 'repo.git');
    fs.mkdirSync(path.join(gitRepo, 'objects', 'pack'), { recursive: true });
    fs.mkdirSync(path.join(gitRepo, 'refs', 'heads'), { recursive: true });
    fs.writeFileSync(path.join(gitRepo, 'HEAD'), 'ref: refs/heads/main\n');
  }
  return gitRepo;
}

let looseFile: string | undefined;
function writeRepo(data: Buffer): { repo: string; looseOid?: string; idxOids: string[] } {
  const repo = fuzzRepo();
  const { flags, loose, idx, pack, refs } = splitGitInput(data);
  if (looseFile) fs.rmSync(path.dirname(looseFile), { recursive: true, force: true });
  looseFile = undefined;
  let looseOid: string | undefined;
  if (loose.length > 0) {
    looseOid = flags & 2 ? sha1(loose) : sha1(Buffer.concat([loose, Buffer.from('x')]));
    looseFile = path.join(repo, 'objects', looseOid.slice(0, 2), looseOid.slice(2));
    fs.mkdirSync(path.dirname(looseFile), { recursive: true });
    fs.writeFileSync(looseFile, flags & 1 ? loose : zlib.deflateSync(loose));
  }
  fs.writeFileSync(path.join(repo, 'objects', 'pack', 'pack-fuzz.idx'), idx);
  fs.writeFileSync(path.join(repo, 'objects', 'pack', 'pack-fuzz.pack'), pack);
  fs.writeFileSync(path.join(repo, 'packed-refs'), refs);
  // the ids the index lists (at most 64), read from it as the fuzzer left it
  const idxOids: string[] = [];
  const count = idx.length >= 1032 ? idx.readUInt32BE(1028) : 0;
  for (let i = 0; i < Math.min(count, 64) && 1032 + (i + 1) * 20 <= idx.length; i++)
    idxOids.push(idx.toString('hex', 1032 + i * 20, 1032 + (i + 1) * 20));
  return { repo, looseOid, idxOids };
}

/** Errors GitStore and the tree hasher may throw on bad data: GitStoreError, or a plain Error (tree parsing and hashing). */
const PLAIN_GIT_ERRORS =
  /^(malformed git tree object$|git tree nested too deeply$|\S+ is an? \w+, not a (tree|blob)$|\S+ \('.*'\) is an? \w+, not a blob$|symlink '.*' has a \d+-byte target|unsupported git mode )/s;
function cleanGitError(e: unknown): boolean {
  return (
    e instanceof GitStoreError ||
    (e instanceof Error && e.constructor === Error && !('code' in e) && PLAIN_GIT_ERRORS.test(e.message))
  );
}

async function tolerate<T>(f: () => T | Promise<T>): Promise<T | undefined> {
  try {
    return await f();
  } catch (e) {
    if (!cleanGitError(e)) throw e;
    return undefined;
  }
}

const CAP = 1 << 20;

async function runGit(data: Buffer): Promise<void> {
  const { repo, looseOid, idxOids } = writeRepo(data);
  const store = new GitStore(repo);
  try {
    const refs = store.refs();
    for (const [name, oid] of refs)
      check(/^[0-9a-f]{40}$/.test(oid), `ref ${name} → ${oid} is not an object id`);
    const wanted = new Set<string>([...(looseOid ? [looseOid] : []), ...idxOids, ...refs.values()]);
    for (const rev of [
      'HEAD',
      'HEAD^{tree}',
      'HEAD~1',
      'main^{tree}',
      ...(idxOids[0] ? [idxOids[0].slice(0, 6)] : []),
    ]) {
      const oid = await tolerate(() => store.resolve(rev, rev.endsWith('{tree}') ? 'tree' : 'commit'));
      if (oid !== undefined) {
        check(/^[0-9a-f]{40}$/.test(oid), `resolve(${rev}) gave ${oid}`);
        wanted.add(oid);
      }
    }
    let firstTree: string | undefined;
    for (const oid of [...wanted].slice(0, 80)) {
      const o = await tolerate(() => store.read(oid, CAP));
      if (o) {
        check(o.oid === oid, `read(${oid}) returned ${o.oid}`);
        check(
          sha1(Buffer.concat([Buffer.from(`${o.type} ${o.data.length}\0`), o.data])) === oid,
          `read(${oid}): the contents do not hash to the id`,
        );
        const i = await tolerate(() => store.info(oid));
        if (i)
          check(
            i.type === o.type && i.size === o.data.length,
            `info(${oid}) = ${i.type} ${i.size}, read gave ${o.type} ${o.data.length}`,
          );
        if (o.type === 'tree') {
          firstTree ??= oid;
          try {
            for (const e of parseTree(o.data, 20))
              check(e.oid.length === 40 && !e.name.includes('\0'), 'bad tree entry');
          } catch (e) {
            check(
              e instanceof Error && e.message === 'malformed git tree object',
              `parseTree threw ${String(e)}`,
            );
          }
        } else if (o.type === 'commit') {
          const c = await tolerate(() => parseCommit(oid, o.data));
          if (c)
            check(
              /^[0-9a-f]{40}$/.test(c.tree) && c.parents.every((p) => /^[0-9a-f]{40}$/.test(p)),
              'commit with a bad tree or parent id',
            );
        } else if (o.type === 'blob') {
          const chunks: Buffer[] = [];
          const n = await tolerate(() => store.streamBlob(oid, (b) => chunks.push(Buffer.from(b))));
          if (n !== undefined)
            check(
              n === o.data.length && Buffer.concat(chunks).equals(o.data),
              `streamBlob(${oid}) differs from read`,
            );
        }
      }
      const u = await tolerate(() => store.readUpTo(oid, 64));
      if (u) {
        check(
          u.data === undefined ? u.size > 64 : u.data.length === u.size && u.size <= 64,
          `readUpTo(${oid}, 64): size ${u.size}, ${u.data?.length} bytes`,
        );
        if (u.data)
          check(
            sha1(Buffer.concat([Buffer.from(`${u.type} ${u.size}\0`), u.data])) === oid,
            `readUpTo(${oid}): the contents do not hash to the id`,
          );
        if (o) check(u.type === o.type && u.size === o.data.length, `readUpTo(${oid}) disagrees with read`);
      }
    }
    if (firstTree) {
      const reader = new GitObjectReader(repo);
      try {
        const h = await tolerate(() => new GitTreeHasher(reader, CAP).hashTree(firstTree!));
        if (h) check(h.hash.length === 32 && h.narSize > 0, 'bad tree hash');
      } finally {
        reader.close();
      }
    }
  } finally {
    store.close();
  }
}
// ---------------------------------------------------------------------------------------------

function info(name: string): TargetInfo {
  const i = TARGET_INFO.find((t) => t.name === name);
  if (!i) throw new Error(`no target ${name} in fuzz/catalogue.ts`);
  return i;
}

export const TARGETS: readonly Target[] = [
  { ...info('nix-parser'), dict: NIX_DICT, expected: none, run: runParser },
  { ...info('shell'), dict: SHELL_DICT, expected: none, run: runShell },
  { ...info('cpio'), dict: CPIO_DICT, expected: (e) => e instanceof InitrdError, run: runCpio },
  {
    ...info('archive'),
    dict: [
      ...CPIO_DICT,
      'MZ',
      'PE\0\0',
      '.initrd\0',
      '.cmdline',
      '.linux\0\0',
      ...Object.values(MAGIC).map((m) => Buffer.from(m)),
    ],
    expected: (e) => e instanceof InitrdError,
    run: runArchive,
  },
  ...['gzip', 'zstd', 'xz', 'lzma', 'bzip2', 'lz4-legacy', 'lz4'].map(decompressTarget),
  { ...info('nar'), dict: NAR_DICT, expected: (e) => e instanceof NarFormatError, run: runNar },
  {
    ...info('flake-lock'),
    mutate: mutateJson,
    dict: [
      '{',
      '}',
      '[',
      ']',
      '"nodes"',
      '"root"',
      '"version"',
      '7',
      '"inputs"',
      '"locked"',
      '"original"',
      '"follows"',
      '"type"',
      '"github"',
      '"git"',
      '"path"',
      '"narHash"',
      '"sha256-',
      '"rev"',
      '"lastModified"',
      ':',
      ',',
      'null',
      'true',
      '1e999',
      '"__proto__"',
      '"constructor"',
    ],
    expected: (e) => e instanceof FlakeLockError,
    run: runFlakeLock,
  },
  {
    ...info('selftest'),
    dict: [], // only the test's corpus files reach the three cases
    expected: (e) => e instanceof RangeError,
    run(data) {
      const s = data.toString('latin1');
      if (s.startsWith('CRASH')) (undefined as unknown as { x: number }).x++;
      if (s.startsWith('HANG')) for (;;);
      if (s.startsWith('OOM')) {
        const keep: number[][] = [];
        for (;;) keep.push(new Array(1e6).fill(1));
      }
      if (s.length > 3) throw new RangeError('rejected');
    },
  },
  { ...info('git-objects'), dict: GIT_DICT, expected: cleanGitError, run: runGit },
];
