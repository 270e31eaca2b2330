import { parentPort, workerData } from 'node:worker_threads';
import { ENGINE_DATA_ENV } from './engine-child.js';

/** An engine entry module's link to the pool that started it, in a process or in a thread. */
export interface EngineHost<Data, In, Out> {
  readonly data: Data;
  /** `transfer` moves those buffers to the pool in a thread; a process sends a copy either way. */
  post(message: Out, transfer?: readonly ArrayBuffer[]): void;
  onMessage(listener: (message: In) => void): void;
}

/**
 * Connects an engine entry module (decoder-worker, ...) to its pool. In a worker thread that is
 * parentPort and workerData. In a child process (spawnEngineProcess) it is the IPC channel and the
 * data in ENGINE_DATA_ENV, and the process ties its life to the gateway's:
 * - it exits when the channel closes, which happens when the gateway exits or is killed (even by
 *   SIGKILL), so an engine process is never orphaned;
 * - it ignores SIGINT, which a terminal's Ctrl-C sends to the whole process group: the gateway
 *   drains its calls first and then stops its engines itself.
 */
export function connectEngineHost<Data, In, Out>(): EngineHost<Data, In, Out> {
  const port = parentPort;
  if (port !== null) {
    return {
      data: workerData as Data,
      post: (message, transfer = []) => port.postMessage(message, [...transfer]),
      onMessage: (listener) => port.on('message', listener),
    };
  }
  const send = process.send?.bind(process);
  if (send === undefined) throw new Error('an engine entry runs in a worker thread or a forked process');
  const raw = process.env[ENGINE_DATA_ENV];
  if (raw === undefined) throw new Error(`${ENGINE_DATA_ENV} is not set`);
  process.on('disconnect', () => process.exit(0));
  process.on('SIGINT', () => undefined);
  return {
    data: JSON.parse(raw) as Data,
    post: (message) => {
      if (process.connected) send(message);
    },
    onMessage: (listener) => process.on('message', (message) => listener(message as In)),
  };
}
