import { Worker } from 'node:worker_threads';
import type { DecoderWorkerData } from './worker-protocol.js';

/**
 * Starts one decoder worker. From the compiled `dist/` tree the worker is the sibling
 * `decoder-worker.js`. Under tsx (tests, `node --import tsx`) this module is itself a `.ts` file,
 * and Node 20 resolves a worker's entry before any `--import` hook of the worker runs, so a `.ts`
 * entry fails with ERR_UNKNOWN_FILE_EXTENSION; instead the worker evaluates a two-line bootstrap
 * that registers tsx's loader in the worker thread and then imports `decoder-worker.ts`.
 */
export function spawnDecoderWorker(data: DecoderWorkerData): Worker {
  const here = import.meta.url;
  if (!here.endsWith('.ts')) {
    return new Worker(new URL('./decoder-worker.js', here), { workerData: data });
  }
  const entry = new URL('./decoder-worker.ts', here).href;
  const tsxApi = import.meta.resolve('tsx/esm/api');
  const bootstrap =
    `import(${JSON.stringify(tsxApi)})` +
    `.then((tsx) => { tsx.register(); return import(${JSON.stringify(entry)}); })`;
  // execArgv is emptied so that an inherited `--import tsx` does not register the loader twice.
  return new Worker(bootstrap, { eval: true, workerData: data, execArgv: [] });
}
