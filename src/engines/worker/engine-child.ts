import { fork } from 'node:child_process';
import type { Worker } from 'node:worker_threads';
import { spawnEngineWorker } from './spawn-engine-worker.js';

/** How a child ended: the exit code, or the signal that killed it (SIGKILL, SIGSEGV, SIGABRT). */
export interface EngineChildExit {
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
  /** Set when the child could not be started or failed before it exited (spawn error). */
  readonly error?: Error;
}

/**
 * One engine child as the pool sees it, a process or (for comparison and where processes are not
 * wanted) a worker thread. `onExit` fires exactly once, however the child ends.
 */
export interface EngineChild {
  /** The operating-system process id; the gateway's own pid for a thread. */
  readonly pid: number | undefined;
  readonly kind: 'process' | 'thread';
  /** `transfer` moves those buffers to a thread; a process gets a copy either way. */
  send(message: unknown, transfer?: readonly ArrayBuffer[]): void;
  onMessage(listener: (message: unknown) => void): void;
  onExit(listener: (exit: EngineChildExit) => void): void;
  /** Asks the child to stop (SIGTERM for a process); onExit reports when it has. */
  stop(): void;
  /** Ends the child at once (SIGKILL for a process). */
  kill(): void;
  /** Whether an idle child may keep the gateway's event loop alive. */
  ref(): void;
  unref(): void;
}

/** The environment variable a child process reads its engine data (JSON) from. */
export const ENGINE_DATA_ENV = 'VOXBRIDGE_ENGINE_DATA';

/**
 * Starts an engine entry module beside the caller (`entryName` plus the caller's extension, as
 * spawnEngineWorker) in its own process, with an IPC channel that uses V8 serialization so typed
 * arrays and ArrayBuffers cross it as they are. A native crash there (SIGSEGV, an abort from
 * malloc's checks) ends that process only.
 *
 * The child inherits no execArgv (an inspector port or a CPU profile flag of the gateway must not
 * be taken twice); under tsx (tests, `node --import tsx`) it gets tsx's loader so that the `.ts`
 * entry runs. Its stdout is discarded (the gateway's stdout may carry JSON events) and its stderr
 * is the gateway's, so that what a dying native library prints is still seen.
 */
export function spawnEngineProcess(callerUrl: string, entryName: string, data: unknown): EngineChild {
  const typescript = callerUrl.endsWith('.ts');
  const entry = new URL(`./${entryName}${typescript ? '.ts' : '.js'}`, callerUrl);
  const child = fork(entry, [], {
    execArgv: typescript ? ['--import', import.meta.resolve('tsx')] : [],
    serialization: 'advanced',
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    env: { ...process.env, [ENGINE_DATA_ENV]: JSON.stringify(data) },
  });
  let exited: EngineChildExit | undefined;
  const exitListeners: ((exit: EngineChildExit) => void)[] = [];
  const finish = (exit: EngineChildExit): void => {
    if (exited !== undefined) return;
    exited = exit;
    for (const listener of exitListeners) listener(exit);
  };
  child.on('exit', (exitCode, signal) => finish({ exitCode, signal }));
  // 'error' without 'exit' means the process never ran (or could not be signalled); a send to a
  // process that is already gone also lands here, and its 'exit' follows.
  child.on('error', (error) => {
    if (child.pid === undefined) finish({ exitCode: null, signal: null, error });
  });
  return {
    pid: child.pid,
    kind: 'process',
    send(message) {
      if (exited !== undefined || !child.connected) return;
      // A failed send means the child is dying; its exit is reported through onExit.
      child.send(message as never, (error) => void error);
    },
    onMessage(listener) {
      child.on('message', listener);
    },
    onExit(listener) {
      if (exited !== undefined) listener(exited);
      else exitListeners.push(listener);
    },
    stop() {
      if (exited === undefined) child.kill('SIGTERM');
    },
    kill() {
      if (exited === undefined) child.kill('SIGKILL');
    },
    ref() {
      child.ref();
      child.channel?.ref();
    },
    unref() {
      child.unref();
      child.channel?.unref();
    },
  };
}

/** The same entry in a worker thread of the gateway (the pre-process design; bench comparison). */
export function spawnEngineThread(callerUrl: string, entryName: string, data: unknown): EngineChild {
  return engineChildOfWorker(spawnEngineWorker(callerUrl, entryName, data));
}

/** A worker thread seen as an EngineChild (spawnEngineThread; tests' fake engines). */
export function engineChildOfWorker(worker: Worker): EngineChild {
  let exited: EngineChildExit | undefined;
  let failure: Error | undefined;
  const exitListeners: ((exit: EngineChildExit) => void)[] = [];
  worker.on('error', (error) => (failure = error));
  worker.on('exit', (exitCode) => {
    exited = { exitCode, signal: null, ...(failure === undefined ? {} : { error: failure }) };
    for (const listener of exitListeners) listener(exited);
  });
  return {
    pid: process.pid,
    kind: 'thread',
    send(message, transfer = []) {
      if (exited === undefined) worker.postMessage(message, [...transfer]);
    },
    onMessage(listener) {
      worker.on('message', listener);
    },
    onExit(listener) {
      if (exited !== undefined) listener(exited);
      else exitListeners.push(listener);
    },
    stop() {
      void worker.terminate();
    },
    kill() {
      void worker.terminate();
    },
    ref() {
      worker.ref();
    },
    unref() {
      worker.unref();
    },
  };
}
