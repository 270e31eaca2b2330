import { Worker } from 'node:worker_threads';

/**
 * Starts an engine's worker thread whose entry module sits beside the caller: `entryName` plus the
 * caller's own extension, resolved against `callerUrl` (the caller's `import.meta.url`).
 *
 * From the compiled `dist/` tree both are `.js` and the worker simply runs the entry file. Under
 * tsx (tests, `node --import tsx`) the caller is a `.ts` file, and Node 20 resolves a worker's
 * entry before any `--import` hook of the worker runs, so a `.ts` entry fails with
 * ERR_UNKNOWN_FILE_EXTENSION; instead the worker evaluates a two-line bootstrap that registers
 * tsx's loader in the worker thread and then imports the TypeScript entry. tsx is a dev
 * dependency, which is the only case that path runs.
 */
export function spawnEngineWorker(callerUrl: string, entryName: string, workerData: unknown): Worker {
  if (!callerUrl.endsWith('.ts')) {
    return new Worker(new URL(`./${entryName}.js`, callerUrl), { workerData });
  }
  const entry = new URL(`./${entryName}.ts`, callerUrl).href;
  const tsxApi = import.meta.resolve('tsx/esm/api');
  const bootstrap =
    `import(${JSON.stringify(tsxApi)})` +
    `.then((tsx) => { tsx.register(); return import(${JSON.stringify(entry)}); })`;
  // execArgv is emptied so that an inherited `--import tsx` does not register the loader twice.
  return new Worker(bootstrap, { eval: true, workerData, execArgv: [] });
}
