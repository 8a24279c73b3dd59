// SHA-256 of many similar NARs on worker threads ("lanes"), for find-rev over long histories.
//
// Hashing dominates find-rev: each commit's NAR must be hashed from the first byte that differs
// from an already hashed NAR to its end. A lane is one worker thread that hashes a sequence of
// NARs and keeps the SHA-256 state at every multiple of STEP bytes of the NAR it hashed last;
// the main thread (which builds the NARs from git objects) works out how many leading bytes a new
// NAR shares with that lane's previous one and sends only the bytes from the last saved state
// before the first difference. Two lanes given neighbouring runs of history use two cores.
//
// The worker is evaluated from a self-contained source string (node built-ins only), so it runs
// the same from the TypeScript sources, the CLI bundle and the language server bundle.
import { Worker } from 'node:worker_threads';
import { isBlobRef, partSize, sharedAlloc, sharedPrefix, type BlobRef, type NarNode } from './git';

/** A large blob's contents in shared memory, read from its repository (held while a lane hashes it). */
async function loadShared(ref: BlobRef): Promise<Buffer> {
  const b = Buffer.from(new SharedArrayBuffer(ref.size));
  let o = 0;
  await ref.reader.stream(ref.blob, (c) => {
    if (o + c.length > b.length) throw new Error(`git object ${ref.blob} is larger than its declared size`);
    o += c.copy(b, o);
  });
  if (o !== ref.size) throw new Error(`git object ${ref.blob}: ${o} bytes, expected ${ref.size}`);
  return b;
}

/** A SHA-256 state is kept at every multiple of this many NAR bytes. */
export const STEP = 64 * 1024;

// Messages to a worker, in order:
//   { slabs: [[id, SharedArrayBuffer], ...] }   memory that later pieces refer to
//   { drop: [id, ...] }                          memory no longer referred to
//   { id, from, pieces: Int32Array }             hash the NAR whose bytes [from, end) are the
//                                                pieces (slab id, byte offset, length)…, resuming
//                                                from the state saved at byte `from`
// and answers { id, hash } or { id, error }.
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const STEP = ${STEP};
const SMALL = 4096;
const slabs = new Map();
let states = [undefined];
const stage = Buffer.allocUnsafe(STEP);
parentPort.on('message', (m) => {
  if (m.slabs) for (const [id, sab] of m.slabs) slabs.set(id, Buffer.from(sab));
  if (m.drop) for (const id of m.drop) slabs.delete(id);
  if (m.pieces === undefined) return;
  try {
    const j = m.from / STEP;
    if (!Number.isInteger(j) || j >= states.length || (j > 0 && !states[j])) throw new Error('no saved state at byte ' + m.from);
    states.length = j + 1;
    const h = j === 0 ? createHash('sha256') : states[j].copy();
    let pos = m.from;
    let staged = 0;
    const p = m.pieces;
    for (let i = 0; i < p.length; i += 3) {
      const mem = slabs.get(p[i]);
      if (!mem) throw new Error('unknown memory ' + p[i]);
      let off = p[i + 1];
      let len = p[i + 2];
      if (off < 0 || len < 0 || off + len > mem.length) throw new Error('piece out of bounds');
      while (len > 0) {
        const n = Math.min(len, STEP - (pos % STEP));
        if (n <= SMALL) {
          if (staged + n > stage.length) { h.update(stage.subarray(0, staged)); staged = 0; }
          mem.copy(stage, staged, off, off + n);
          staged += n;
        } else {
          if (staged) { h.update(stage.subarray(0, staged)); staged = 0; }
          h.update(mem.subarray(off, off + n));
        }
        off += n;
        len -= n;
        pos += n;
        if (pos % STEP === 0) {
          if (staged) { h.update(stage.subarray(0, staged)); staged = 0; }
          states[pos / STEP] = h.copy();
        }
      }
    }
    if (staged) h.update(stage.subarray(0, staged));
    parentPort.postMessage({ id: m.id, hash: new Uint8Array(h.digest()) });
  } catch (e) {
    parentPort.postMessage({ id: m.id, error: String((e && e.message) || e) });
  }
});
`;

// Ids of shared memory blocks, and telling lanes when a block is gone from this thread.
const memIds = new WeakMap<SharedArrayBuffer, number>();
let nextMemId = 0;
const liveLanes = new Set<HashLane>();
const released = new FinalizationRegistry<number>((id) => {
  for (const l of liveLanes) l.forget(id);
});

function memId(sab: SharedArrayBuffer): number {
  let id = memIds.get(sab);
  if (id === undefined) {
    id = nextMemId++;
    memIds.set(sab, id);
    released.register(sab, id);
  }
  return id;
}

interface Waiter {
  resolve(h: Uint8Array): void;
  reject(e: Error): void;
}

/** One hashing lane: a worker thread and the NAR it hashed last. */
export class HashLane {
  private readonly worker: Worker;
  private readonly waiting = new Map<number, Waiter>();
  private readonly known = new Set<number>();
  private dropped: number[] = [];
  private nextId = 0;
  private prev: NarNode | undefined;
  private failed: Error | undefined;
  private closed = false;
  /** NAR bytes hashed by the worker, and bytes skipped thanks to saved states. */
  bytesHashed = 0;
  bytesReused = 0;

  constructor() {
    this.worker = new Worker(WORKER_SOURCE, { eval: true });
    liveLanes.add(this);
    this.worker.on('message', (m: { id: number; hash?: Uint8Array; error?: string }) => {
      const w = this.waiting.get(m.id);
      if (!w) return;
      this.waiting.delete(m.id);
      if (m.error !== undefined) w.reject(new Error(`hash lane: ${m.error}`));
      else w.resolve(m.hash!);
    });
    this.worker.on('error', (e) => this.fail(e));
    this.worker.on('exit', (code) =>
      this.fail(new Error(this.closed ? 'hash lane closed' : `hash lane worker exited (${code})`)),
    );
  }

  private fail(e: Error): void {
    this.failed ??= e;
    liveLanes.delete(this);
    for (const w of this.waiting.values()) w.reject(this.failed);
    this.waiting.clear();
  }

  /** A shared memory block was collected on this thread: the worker may let go of it too. */
  forget(id: number): void {
    if (this.known.delete(id)) this.dropped.push(id);
  }

  /** SHA-256 of a NAR. Calls on one lane are answered in order. */
  hash(root: NarNode): Promise<Uint8Array> {
    if (this.closed) return Promise.reject(new Error('hash lane closed'));
    if (this.failed) return Promise.reject(this.failed);
    const shared = this.prev ? sharedPrefix(this.prev, root) : 0;
    const from = Math.floor(Math.min(shared, this.prev?.size ?? 0) / STEP) * STEP;
    this.prev = root;
    this.bytesReused += from;
    this.bytesHashed += root.size - from;
    const id = this.nextId++;
    const p = new Promise<Uint8Array>((resolve, reject) => this.waiting.set(id, { resolve, reject }));
    let pieces = new Int32Array(3 * 1024);
    let n = 0;
    const slabs: [number, SharedArrayBuffer][] = [];
    const put = (x: Buffer, skip: number): void => {
      if (!(x.buffer instanceof SharedArrayBuffer)) {
        const c = sharedAlloc(x.length);
        x.copy(c);
        x = c;
      }
      const sab = x.buffer as SharedArrayBuffer;
      const m = memId(sab);
      if (!this.known.has(m)) {
        this.known.add(m);
        slabs.push([m, sab]);
      }
      if (n + 3 > pieces.length) {
        const bigger = new Int32Array(pieces.length * 2);
        bigger.set(pieces);
        pieces = bigger;
      }
      pieces[n++] = m;
      pieces[n++] = x.byteOffset + skip;
      pieces[n++] = x.length - skip;
    };
    const walk = async (node: NarNode, base: number): Promise<void> => {
      for (const x of node.parts) {
        const len = partSize(x);
        if (base + len > from) {
          if (Buffer.isBuffer(x)) put(x, Math.max(0, from - base));
          else if (isBlobRef(x)) put(await loadShared(x), Math.max(0, from - base));
          else await walk(x, base);
        }
        base += len;
      }
    };
    // Sent in call order (a large blob is loaded into shared memory first, one at a time).
    const send = async (): Promise<void> => {
      await walk(root, 0);
      const drop = this.dropped;
      this.dropped = [];
      const msg = {
        id,
        from,
        pieces: pieces.subarray(0, n),
        slabs: slabs.length ? slabs : undefined,
        drop: drop.length ? drop : undefined,
      };
      this.worker.postMessage(msg);
    };
    // A NAR that could not be sent leaves the worker's saved states behind `prev`: the lane is done.
    this.sending = this.sending.then(send).catch((e: Error) => this.fail(e));
    return p;
  }

  private sending: Promise<void> = Promise.resolve();

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    liveLanes.delete(this);
    await this.worker.terminate();
  }
}
