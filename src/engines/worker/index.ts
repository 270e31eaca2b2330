export { spawnEngineWorker } from './spawn-engine-worker.js';
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
