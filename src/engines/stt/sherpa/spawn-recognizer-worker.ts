import type { Worker } from 'node:worker_threads';
import { spawnEngineWorker } from '../../worker/index.js';
import type { RecognizerWorkerData } from './worker-protocol.js';

/** Starts the recognizer worker: `recognizer-worker` beside this module (see spawnEngineWorker). */
export function spawnRecognizerWorker(data: RecognizerWorkerData): Worker {
  return spawnEngineWorker(import.meta.url, 'recognizer-worker', data);
}
