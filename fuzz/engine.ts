// The fuzzing loop, run in a worker thread from the instrumented bundle (fuzz/main.ts builds it):
// seeds first, then mutations of corpus entries (bit flips, byte sets, inserts, deletes, copies,
// splices, dictionary tokens, ASCII numbers, truncation), keeping every input that reaches a new
// (counter, hit-count bucket) pair, as AFL and libFuzzer do. Before each input the worker puts it
// in shared memory and bumps the execution counter, so that the main thread can tell a hang (no
// progress for 5 s), save the input and kill the worker; an uncaught error in a callback or
// running out of heap ends the worker the same way. Crashes found here are saved and reported.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import { TARGETS, removeScratch, type Target } from './targets';
import { S, saveFinding, type WorkerData, type WorkerMessage } from './shared';

declare const __fz: Uint32Array;

function bucket(n: number): number {
  if (n <= 3) return n === 3 ? 4 : n; // 1 → 1, 2 → 2, 3 → 4
  if (n < 8) return 8;
  if (n < 16) return 16;
  if (n < 32) return 32;
  if (n < 128) return 64;
  return 128;
}

/** xorshift32: fast and reproducible from the seed. */
export class Rng {
  constructor(private s: number) {
    if (this.s === 0) this.s = 0x9e3779b9;
  }
  next(): number {
    let x = this.s;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.s = x >>> 0;
    return this.s;
  }
  below(n: number): number {
    return n <= 1 ? 0 : this.next() % n;
  }
}

const INTERESTING = [0, 1, 0x7f, 0x80, 0xff, 0x30, 0x37, 0x66, 0x20, 0x0a, 0x22, 0x27, 0x24, 0x7b, 0x7d];
const INTERESTING_NUMBERS = [
  '0',
  '1',
  '7',
  '8',
  '255',
  '256',
  '4096',
  '65535',
  '65536',
  '2147483647',
  '4294967295',
  '4294967296',
  '9007199254740993',
  '-1',
  '00000000',
  'ffffffff',
  '7fffffff',
  '80000000',
];

export class Mutator {
  constructor(
    private readonly rng: Rng,
    private readonly dict: Buffer[],
    private readonly maxLen: number,
  ) {}

  mutate(base: Buffer, other: Buffer): Buffer {
    let b: Buffer = Buffer.from(base);
    const rounds = 1 << this.rng.below(4);
    for (let r = 0; r < rounds; r++) b = this.once(b, other);
    return b.length > this.maxLen ? b.subarray(0, this.maxLen) : b;
  }

  private once(b: Buffer, other: Buffer): Buffer {
    const rng = this.rng;
    const n = b.length;
    switch (rng.below(n === 0 ? 3 : 13)) {
      case 0: {
        // insert random bytes
        const k = 1 + rng.below(8);
        const ins = Buffer.alloc(k);
        for (let i = 0; i < k; i++) ins[i] = rng.below(256);
        const at = rng.below(n + 1);
        return Buffer.concat([b.subarray(0, at), ins, b.subarray(at)]);
      }
      case 1: {
        // insert a dictionary token
        if (this.dict.length === 0) return b;
        const at = rng.below(n + 1);
        return Buffer.concat([b.subarray(0, at), this.dict[rng.below(this.dict.length)]!, b.subarray(at)]);
      }
      case 2: {
        // splice with another corpus entry
        if (other.length === 0) return b;
        const at = rng.below(n + 1);
        const from = rng.below(other.length);
        return Buffer.concat([
          b.subarray(0, at),
          other.subarray(from, from + 1 + rng.below(other.length - from)),
        ]);
      }
      case 3: // flip a bit
        b[rng.below(n)]! ^= 1 << rng.below(8);
        return b;
      case 4: // a random byte
        b[rng.below(n)] = rng.below(256);
        return b;
      case 5: // an interesting byte
        b[rng.below(n)] = INTERESTING[rng.below(INTERESTING.length)]!;
        return b;
      case 6: {
        // delete a range
        const at = rng.below(n);
        const k = 1 + rng.below(Math.min(n - at, rng.below(2) ? 4 : 64));
        return Buffer.concat([b.subarray(0, at), b.subarray(at + k)]);
      }
      case 7: {
        // copy a range elsewhere (repeats structure)
        const from = rng.below(n);
        const k = 1 + rng.below(Math.min(n - from, 128));
        const at = rng.below(n + 1);
        const piece = Buffer.from(b.subarray(from, from + k));
        return rng.below(2)
          ? Buffer.concat([b.subarray(0, at), piece, b.subarray(at)])
          : (piece.copy(b, Math.min(at, n - 1)), b);
      }
      case 8: {
        // overwrite with a dictionary token
        if (this.dict.length === 0) return b;
        const t = this.dict[rng.below(this.dict.length)]!;
        t.copy(b, rng.below(n));
        return b;
      }
      case 9: {
        // add to a byte or a little-endian word
        const at = rng.below(n);
        const d = rng.below(35) - 17 || 1;
        if (at + 4 <= n && rng.below(2)) b.writeUInt32LE((b.readUInt32LE(at) + d) >>> 0, at);
        else b[at] = (b[at]! + d) & 0xff;
        return b;
      }
      case 10: {
        // replace an ASCII number (decimal or hex) by another of the same width, or an interesting one
        const at = rng.below(n);
        let s = at;
        while (s < n && !isHex(b[s]!)) s++;
        let e = s;
        while (e < n && isHex(b[e]!)) e++;
        if (s >= n) return b;
        if (rng.below(2)) {
          const hex = '0123456789abcdef';
          for (let i = s; i < e; i++) if (rng.below(3) === 0) b[i] = hex.charCodeAt(rng.below(16));
          return b;
        }
        const num = Buffer.from(INTERESTING_NUMBERS[rng.below(INTERESTING_NUMBERS.length)]!);
        return Buffer.concat([b.subarray(0, s), num, b.subarray(e)]);
      }
      case 11: // truncate
        return b.subarray(0, rng.below(n));
      default: {
        // swap two ranges' bytes
        const i = rng.below(n);
        const j = rng.below(n);
        const t = b[i]!;
        b[i] = b[j]!;
        b[j] = t;
        return b;
      }
    }
  }
}

function isHex(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46);
}

export function signatureOf(e: unknown): string {
  if (!(e instanceof Error)) return `non-error ${typeof e}`;
  const frame =
    (e.stack ?? '')
      .split('\n')
      .find((l) => /^\s+at /.test(l))
      ?.trim()
      .replace(/:\d+:\d+\)?$/, '') ?? '';
  return `${e.name}: ${e.message.split('\n')[0]!.replace(/\d+/g, 'N').slice(0, 120)} @ ${frame}`;
}

async function main(): Promise<void> {
  const wd = workerData as WorkerData;
  const target: Target = TARGETS.find((t) => t.name === wd.target)!;
  const status = new Int32Array(wd.status);
  const shared = new Uint8Array(wd.input);
  const counters = __fz;
  const N = wd.counters;
  const virgin = new Uint8Array(N);
  const rng = new Rng(wd.seed);
  const dict = target.dict.map((d) => (typeof d === 'string' ? Buffer.from(d, 'latin1') : Buffer.from(d)));
  const mutator = new Mutator(rng, dict, target.maxLen);
  const corpus: Buffer[] = [];
  const crashes = new Set<string>();
  let execs = wd.execsBefore;
  let slowestMs = 0;
  const ownCovered = () => {
    let c = 0;
    for (const i of wd.own) if (virgin[i]) c++;
    return c;
  };

  /** Runs one input; returns whether it reached new coverage. */
  const exec = async (input: Buffer): Promise<boolean> => {
    const len = Math.min(input.length, shared.length);
    shared.set(input.subarray(0, len));
    Atomics.store(status, S.len, len);
    Atomics.store(status, S.running, 1);
    Atomics.add(status, S.execs, 1);
    execs++;
    counters.fill(0, 0, N);
    const t0 = performance.now();
    try {
      const r = target.run(input);
      if (r) await r;
    } catch (e) {
      if (!target.expected(e)) {
        const sig = signatureOf(e);
        if (!crashes.has(sig) && crashes.size < 50) {
          crashes.add(sig);
          const text = `target: ${target.name}\nsignature: ${sig}\n\n${e instanceof Error ? e.stack : String(e)}\n`;
          const file = saveFinding(path.join(wd.crashDir, target.name), 'crash', input, text);
          parentPort!.postMessage({
            type: 'crash',
            signature: sig,
            file,
            message: e instanceof Error ? (e.stack ?? e.message) : String(e),
          } satisfies WorkerMessage);
        }
      }
    }
    const ms = performance.now() - t0;
    if (ms > slowestMs) slowestMs = ms;
    Atomics.store(status, S.running, 0);
    let fresh = false;
    for (let i = 0; i < N; i++) {
      const c = counters[i]!;
      if (c === 0) continue;
      const bit = bucket(c);
      if ((virgin[i]! & bit) === 0) {
        virgin[i]! |= bit;
        fresh = true;
      }
    }
    return fresh;
  };

  // 1. seeds and the corpus saved by earlier runs
  fs.mkdirSync(wd.corpusDir, { recursive: true });
  for (const name of fs.readdirSync(wd.corpusDir).sort()) {
    if (name.endsWith('.txt') || name.endsWith('.md')) continue; // notes beside saved findings
    const b = fs.readFileSync(path.join(wd.corpusDir, name));
    if (b.length > target.maxLen) continue;
    if ((await exec(b)) || corpus.length === 0) corpus.push(b);
  }
  if (corpus.length === 0) corpus.push(Buffer.alloc(0));
  const seedCovered = ownCovered();
  Atomics.store(status, S.phase, 1);

  // 2. mutations
  const stats = (): WorkerMessage => ({
    type: 'stats',
    execs,
    corpus: corpus.length,
    covered: ownCovered(),
    seedCovered,
    slowestMs,
  });
  const begin = Date.now();
  const end = begin + wd.ms;
  let nextStats = begin + 1000;
  while (execs < wd.maxExecs) {
    if ((execs & 63) === 0) {
      const now = Date.now();
      if (now >= end) break;
      if (
        wd.stopWhenGrownAfterMs !== undefined &&
        now - begin >= wd.stopWhenGrownAfterMs &&
        ownCovered() > seedCovered
      )
        break;
      if (now >= nextStats) {
        parentPort!.postMessage(stats());
        nextStats = now + 1000;
        // let messages (and a terminate request) through
        await new Promise<void>((r) => setImmediate(r));
      }
    }
    const base = corpus[rng.below(corpus.length)]!;
    const other = corpus[rng.below(corpus.length)]!;
    const structured = target.mutate && rng.below(2) ? target.mutate(base, (n) => rng.below(n)) : undefined;
    const input = structured && structured.length <= target.maxLen ? structured : mutator.mutate(base, other);
    if (await exec(input)) {
      corpus.push(input);
      fs.writeFileSync(
        path.join(wd.corpusDir, createHash('sha1').update(input).digest('hex').slice(0, 16)),
        input,
      );
    }
  }
  const hit: number[] = [];
  for (const i of wd.own) if (virgin[i]) hit.push(i);
  removeScratch();
  const done: WorkerMessage = {
    type: 'done',
    execs,
    corpus: corpus.length,
    covered: ownCovered(),
    seedCovered,
    slowestMs,
    hit,
  };
  parentPort!.postMessage(done);
}

if (parentPort && workerData && (workerData as WorkerData).target) {
  void main();
}
