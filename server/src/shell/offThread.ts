// Shell analysis on a worker thread, so that one large embedded script (mvdan/sh parses about
// 1 MB/s here) never stalls the language server's other requests.
//
// The worker runs the same bundle as the server (dist/server.js; its entry, lsp/server.ts, starts
// `runShellWorker` instead of the server when it is this worker). Results are plain data
// (structured clone keeps the Map/Set) and are put into analyzeShell's memo, so the rules, which
// analyse synchronously, find them there. Where no bundle is known (tests run from sources), the
// analysis runs in the calling thread. Jobs run one at a time; aborting the running job
// terminates the worker (a new one starts for the next job).
import { parentPort, Worker } from 'node:worker_threads';
import { analyzeShell, cachedShellAnalysis, primeShellAnalysis, type ShellAnalysis } from './analyze';

export const SHELL_WORKER_FLAG = 'nixbootShellWorker';

interface Job {
  readonly id: number;
  readonly text: string;
  readonly signal: AbortSignal | undefined;
  resolve(a: ShellAnalysis): void;
  reject(e: Error): void;
}

let script: string | undefined;
let worker: Worker | undefined;
let running: Job | undefined;
const queue: Job[] = [];
let nextId = 1;

/** The script that starts a shell worker (the server bundle), set by the server's entry. */
export function setShellWorkerScript(path: string | undefined): void {
  script = path;
}

function abortError(): Error {
  const e = new Error('shell analysis cancelled');
  e.name = 'AbortError';
  return e;
}

function startWorker(): Worker {
  const w = new Worker(script!, { workerData: { [SHELL_WORKER_FLAG]: true } });
  w.unref();
  w.on('message', (m: { id: number; result?: ShellAnalysis; error?: string }) => {
    const job = running;
    if (!job || job.id !== m.id) return;
    running = undefined;
    if (m.result) {
      primeShellAnalysis(job.text, m.result);
      job.resolve(m.result);
    } else job.reject(new Error(m.error ?? 'shell worker failed'));
    pump();
  });
  const lost = (why: string) => {
    if (worker !== w) return;
    worker = undefined;
    const job = running;
    running = undefined;
    job?.reject(job.signal?.aborted ? abortError() : new Error(`shell worker ${why}`));
    pump();
  };
  w.on('error', (e) => lost(`failed: ${e.message}`));
  w.on('exit', (code) => lost(`exited (${code})`));
  return w;
}

function pump(): void {
  if (running) return;
  let job: Job | undefined;
  while ((job = queue.shift())) {
    if (job.signal?.aborted) {
      job.reject(abortError());
      continue;
    }
    const hit = cachedShellAnalysis(job.text);
    if (hit) {
      job.resolve(hit);
      continue;
    }
    break;
  }
  if (!job) return;
  running = job;
  worker ??= startWorker();
  worker.postMessage({ id: job.id, text: job.text });
}

/**
 * The analysis of `text`, made on the worker thread (or at once if memoised, or in this thread
 * when no worker script is set). Rejects with an AbortError when `signal` aborts first.
 */
export function analyzeShellOffThread(text: string, signal?: AbortSignal): Promise<ShellAnalysis> {
  const hit = cachedShellAnalysis(text);
  if (hit) return Promise.resolve(hit);
  if (!script) return Promise.resolve(analyzeShell(text));
  if (signal?.aborted) return Promise.reject(abortError());
  return new Promise((resolve, reject) => {
    const job: Job = { id: nextId++, text, signal, resolve, reject };
    signal?.addEventListener(
      'abort',
      () => {
        const i = queue.indexOf(job);
        if (i >= 0) {
          queue.splice(i, 1);
          reject(abortError());
        } else if (running === job) {
          // The parse cannot be interrupted inside the thread: end the thread.
          const w = worker;
          worker = undefined;
          running = undefined;
          reject(abortError());
          void w?.terminate();
          pump();
        }
      },
      { once: true },
    );
    queue.push(job);
    pump();
  });
}

/** The worker's side: analyses each text it is sent. */
export function runShellWorker(): void {
  parentPort!.on('message', (m: { id: number; text: string }) => {
    try {
      parentPort!.postMessage({ id: m.id, result: analyzeShell(m.text) });
    } catch (e) {
      parentPort!.postMessage({ id: m.id, error: e instanceof Error ? e.message : String(e) });
    }
  });
}
