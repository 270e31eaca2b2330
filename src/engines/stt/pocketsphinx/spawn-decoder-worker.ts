import type { EngineChild } from '../../worker/index.js';
import { spawnEngineProcess, spawnEngineThread } from '../../worker/index.js';
import type { DecoderIsolation } from './decoder-pool.js';
import type { DecoderWorkerData } from './worker-protocol.js';

/** Starts one decoder child, `decoder-worker` beside this module, as a process or a thread. */
export function spawnDecoderWorker(
  data: DecoderWorkerData,
  isolation: DecoderIsolation = 'process',
): EngineChild {
  return isolation === 'process'
    ? spawnEngineProcess(import.meta.url, 'decoder-worker', data)
    : spawnEngineThread(import.meta.url, 'decoder-worker', data);
}
