// What the orchestrator (fuzz/main.ts) and the worker (fuzz/engine.ts) share.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface WorkerData {
  target: string;
  /** Stop after this many milliseconds of fuzzing (seeds not counted). */
  ms: number;
  /** Stop after this many executions in total (seeds and earlier workers included). */
  maxExecs: number;
  execsBefore: number;
  corpusDir: string;
  crashDir: string;
  /** Counters in use (the bundle's). */
  counters: number;
  /** Counter ids that belong to the target's files. */
  own: number[];
  status: SharedArrayBuffer;
  input: SharedArrayBuffer;
  seed: number;
  /** Stop as soon as coverage has grown beyond the seeds' once this many ms have passed (smoke tests). */
  stopWhenGrownAfterMs?: number;
}

/** Indices into the shared status words. */
export const S = { execs: 0, len: 1, running: 2, phase: 3 } as const;

export type WorkerMessage =
  | { type: 'stats'; execs: number; corpus: number; covered: number; seedCovered: number; slowestMs: number }
  | { type: 'crash'; signature: string; file: string; message: string }
  | {
      type: 'done';
      execs: number;
      corpus: number;
      covered: number;
      seedCovered: number;
      slowestMs: number;
      hit: number[];
    };

/** A stack overflow's trace repeats one frame thousands of times: keep the first 60 lines. */
function boundedNote(text: string): string {
  const lines = text.split('\n');
  return lines.length <= 60 ? text : `${lines.slice(0, 60).join('\n')}\n… ${lines.length - 60} more lines\n`;
}

/** Saves an input that crashed or hung (named by its hash) and a text file that says why. */
export function saveFinding(dir: string, kind: string, input: Buffer, text: string): string {
  fs.mkdirSync(dir, { recursive: true });
  const id = createHash('sha1').update(input).digest('hex').slice(0, 16);
  const file = path.join(dir, `${kind}-${id}`);
  fs.writeFileSync(file, input);
  fs.writeFileSync(`${file}.txt`, boundedNote(text));
  return file;
}

/**
 * The input's layout (fuzz/seeds.ts writes it with joinGitInput): a flags byte, three big-endian u16 lengths, then
 * the loose object's inflated bytes (`type size\0data`; deflated here unless flag 1 says they are
 * the file as is), the pack index, the pack, and the rest is packed-refs. Flag 2 names the loose
 * object by its contents' SHA-1 (else by the SHA-1 of something else: a lying name).
 */
export function splitGitInput(data: Buffer): {
  flags: number;
  loose: Buffer;
  idx: Buffer;
  pack: Buffer;
  refs: Buffer;
} {
  const u16 = (at: number) => (at + 1 < data.length ? data.readUInt16BE(at) : 0);
  let at = Math.min(7, data.length);
  const take = (n: number) => {
    const b = data.subarray(at, Math.min(data.length, at + n));
    at += b.length;
    return b;
  };
  const flags = data[0] ?? 0;
  const [a, b, c] = [u16(1), u16(3), u16(5)];
  return { flags, loose: take(a), idx: take(b), pack: take(c), refs: data.subarray(at) };
}

export function joinGitInput(flags: number, loose: Buffer, idx: Buffer, pack: Buffer, refs: Buffer): Buffer {
  const head = Buffer.alloc(7);
  head[0] = flags;
  head.writeUInt16BE(loose.length, 1);
  head.writeUInt16BE(idx.length, 3);
  head.writeUInt16BE(pack.length, 5);
  return Buffer.concat([head, loose, idx, pack, refs]);
}
