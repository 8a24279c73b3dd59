// SHA-256 on a worker thread fed through a ring of shared buffers: the calling thread reads files
// straight into a slot (NarWriter.read) while the worker hashes the slots filled before it, so
// reading and hashing overlap on two cores and no byte is copied between threads.
//
// Control words (Int32Array over a SharedArrayBuffer):
//   [0] slots published by the writer   [1] slots hashed by the worker (-1: the worker failed)
//   [2] 1 once the worker runs          [3 + k] length of slot k (-1: end of input)
// The writer blocks (Atomics.wait, in short slices) only when every slot is full; it gives up
// if the worker makes no progress for HANG_MS.
import { Worker } from 'node:worker_threads';
import type { NarTarget } from './nar';

/** Slot size and count: 4 × 4 MiB measured a little faster than 8 × 1 MiB or 16 × 2 MiB. */
export const SLOT = 4 * 1024 * 1024;
const SLOTS = 4;
const HANG_MS = 10_000;

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const { mem, ctl, slot, slots } = workerData;
const buf = Buffer.from(mem);
const c = new Int32Array(ctl);
Atomics.store(c, 2, 1);
try {
  const h = createHash('sha256');
  for (let done = 0; ; ) {
    while (Atomics.load(c, 0) === done) Atomics.wait(c, 0, done, 1000);
    const k = done % slots;
    const len = Atomics.load(c, 3 + k);
    if (len < 0) {
      parentPort.postMessage({ hash: new Uint8Array(h.digest()) });
      break;
    }
    h.update(buf.subarray(k * slot, k * slot + len));
    done++;
    Atomics.store(c, 1, done);
    Atomics.notify(c, 1);
  }
} catch (e) {
  Atomics.store(c, 1, -1);
  Atomics.notify(c, 1);
  parentPort.postMessage({ error: String((e && e.message) || e) });
}
`;

export class HashRing implements NarTarget {
  private readonly mem = new SharedArrayBuffer(SLOT * SLOTS);
  private readonly ctl = new Int32Array(new SharedArrayBuffer(4 * (3 + SLOTS)));
  private readonly worker: Worker;
  private readonly result: Promise<Uint8Array>;
  private published = 0;
  private closed = false;

  constructor() {
    this.worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { mem: this.mem, ctl: this.ctl.buffer, slot: SLOT, slots: SLOTS },
    });
    this.result = new Promise((resolve, reject) => {
      this.worker.once('message', (m: { hash?: Uint8Array; error?: string }) =>
        m.hash ? resolve(m.hash) : reject(new Error(`hashing thread: ${m.error}`)),
      );
      this.worker.once('error', reject);
      this.worker.once('exit', (code) => reject(new Error(`hashing thread exited (${code})`)));
    });
    this.result.catch(() => undefined);
  }

  private slot(k: number): Buffer {
    return Buffer.from(this.mem, (k % SLOTS) * SLOT, SLOT);
  }

  /** The first buffer to fill. */
  first(): Buffer {
    return this.slot(0);
  }

  private publish(len: number): void {
    Atomics.store(this.ctl, 3 + (this.published % SLOTS), len);
    this.published++;
    Atomics.store(this.ctl, 0, this.published);
    Atomics.notify(this.ctl, 0);
  }

  /** Waits until at most `most` published slots are not yet hashed. */
  private drain(most: number): void {
    let seen = Atomics.load(this.ctl, 1);
    let since = Date.now();
    while (this.published - seen > most) {
      if (seen < 0) throw new Error('hashing thread failed');
      Atomics.wait(this.ctl, 1, seen, 50);
      const now = Atomics.load(this.ctl, 1);
      if (now !== seen) {
        seen = now;
        since = Date.now();
      } else if (Date.now() - since > HANG_MS) {
        throw new Error(
          Atomics.load(this.ctl, 2)
            ? 'hashing thread stopped making progress'
            : 'hashing thread did not start',
        );
      }
    }
    if (seen < 0) throw new Error('hashing thread failed');
  }

  swap(_full: Buffer, len: number): Buffer {
    this.publish(len);
    this.drain(SLOTS - 1);
    return this.slot(this.published);
  }

  /** Ends the input (after the writer's last flush) and returns the SHA-256. */
  async finish(): Promise<Uint8Array> {
    this.drain(SLOTS - 1);
    this.publish(-1);
    return this.result;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.worker.unref(); // a finished process need not wait for the thread to wind down
    void this.worker.terminate();
  }
}
