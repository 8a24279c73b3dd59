// Entry of dist/server.js. The same bundle also runs as the shell-analysis worker thread
// (shell/offThread.ts): then it starts the worker loop instead of the language server.
import { isMainThread, workerData } from 'node:worker_threads';
import { runShellWorker, setShellWorkerScript, SHELL_WORKER_FLAG } from '../shell/offThread';

if (!isMainThread && (workerData as Record<string, unknown> | undefined)?.[SHELL_WORKER_FLAG] === true) {
  runShellWorker();
} else {
  // In the bundle, __filename is dist/server.js: the worker runs this same file.
  setShellWorkerScript(typeof __filename === 'string' ? __filename : undefined);
  void import('./main');
}
