import type { EngineChild } from '../../worker/index.js';
import { spawnEngineProcess } from '../../worker/index.js';
import type { RecognizerWorkerData } from './worker-protocol.js';

/** Starts the recognizer process: `recognizer-worker` beside this module (see spawnEngineProcess). */
export function spawnRecognizerWorker(data: RecognizerWorkerData): EngineChild {
  return spawnEngineProcess(import.meta.url, 'recognizer-worker', data);
}
