export { spawnEngineWorker } from './spawn-engine-worker.js';
export {
  ENGINE_DATA_ENV,
  engineChildOfWorker,
  spawnEngineProcess,
  spawnEngineThread,
} from './engine-child.js';
export type { EngineChild, EngineChildExit } from './engine-child.js';
export { connectEngineHost } from './connect-engine-host.js';
export type { EngineHost } from './connect-engine-host.js';
export { EnginePool, EnginePoolStream } from './engine-pool.js';
export type { EnginePoolListener, EnginePoolOptions, EngineProcessEvent } from './engine-pool.js';
export type {
  AudioMessage,
  CloseStreamMessage,
  EndStreamMessage,
  EndedMessage,
  EventsMessage,
  StreamErrorMessage,
  StreamFromWorkerMessage,
  StreamToWorkerMessage,
} from './stream-protocol.js';
