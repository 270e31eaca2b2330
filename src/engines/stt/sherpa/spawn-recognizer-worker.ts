import { Worker } from 'node:worker_threads';
import type { RecognizerWorkerData } from './worker-protocol.js';

/**
 * Starts the recognizer worker. From the compiled `dist/` tree the worker is the sibling
 * `recognizer-worker.js`. Under tsx (tests, `node --import tsx`) this module is a `.ts` file and
 * Node 20 resolves a worker's entry before any `--import` hook of the worker runs, so a `.ts`
 * entry fails with ERR_UNKNOWN_FILE_EXTENSION; the worker instead evaluates a bootstrap that
 * registers tsx's loader in the worker thread and then imports `recognizer-worker.ts`.
 */
export function spawnRecognizerWorker(data: RecognizerWorkerData): Worker {
  const here = import.meta.url;
  if (!here.endsWith('.ts')) {
    return new Worker(new URL('./recognizer-worker.js', here), { workerData: data });
  }
  const entry = new URL('./recognizer-worker.ts', here).href;
  const tsxApi = import.meta.resolve('tsx/esm/api');
  const bootstrap =
    `import(${JSON.stringify(tsxApi)})` +
    `.then((tsx) => { tsx.register(); return import(${JSON.stringify(entry)}); })`;
  // execArgv is emptied so that an inherited `--import tsx` does not register the loader twice.
  return new Worker(bootstrap, { eval: true, workerData: data, execArgv: [] });
}
