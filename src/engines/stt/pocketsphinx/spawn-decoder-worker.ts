import type { Worker } from 'node:worker_threads';
import { spawnEngineWorker } from '../../worker/index.js';
import type { DecoderWorkerData } from './worker-protocol.js';

/** Starts one decoder worker: `decoder-worker` beside this module (see spawnEngineWorker). */
export function spawnDecoderWorker(data: DecoderWorkerData): Worker {
  return spawnEngineWorker(import.meta.url, 'decoder-worker', data);
}
