import { EngineError, abortedError } from '../../spi/index.js';
import type { EngineChild, EngineChildExit } from '../../worker/index.js';
import { spawnEngineProcess } from '../../worker/index.js';
import type { SentenceAudio } from '../output/index.js';
import type { SherpaGenerateRequest, SherpaWorkerInit, SherpaWorkerMessage } from './sherpa-tts-protocol.js';

const ENGINE = 'sherpa';

interface Job {
  readonly request: SherpaGenerateRequest;
  readonly resolve: (audio: SentenceAudio) => void;
  readonly reject: (error: unknown) => void;
  readonly signal: AbortSignal;
  readonly onAbort: () => void;
  /** Set when the caller gave up while the worker was busy with this job. */
  abandoned: boolean;
}

export interface SherpaVoiceInfo {
  readonly sampleRateHz: number;
  readonly numSpeakers: number;
  readonly sherpaVersion: string;
}

/** Starts the process that loads the voice; tests substitute a fake that needs no model. */
export type SpawnSherpaWorker = (init: SherpaWorkerInit) => EngineChild;

/** Starts `sherpa-tts-worker` beside this module in its own process (see spawnEngineProcess). */
export const spawnSherpaWorker: SpawnSherpaWorker = (init) =>
  spawnEngineProcess(import.meta.url, 'sherpa-tts-worker', init);

function describeExit(exit: EngineChildExit): string {
  return exit.signal !== null ? `was killed by ${exit.signal}` : `exited (code ${exit.exitCode})`;
}

/**
 * Runs sherpa-onnx in a child process and hands it one sentence at a time, so that a native crash
 * there (onnxruntime aborts) fails the prompts in progress instead of the gateway. Sentences wait
 * here, not in the child, so an aborted one that has not started is simply dropped. A sentence
 * already inside the native call cannot be interrupted: its caller is released at once with
 * ABORTED and the result is thrown away when it arrives.
 */
export class SherpaTtsWorker {
  readonly info: SherpaVoiceInfo;
  private readonly child: EngineChild;
  private readonly queue: Job[] = [];
  private running: Job | undefined;
  private nextId = 1;
  private failure: EngineError | undefined;

  private constructor(child: EngineChild, info: SherpaVoiceInfo) {
    this.child = child;
    this.info = info;
    child.onMessage((message) => this.onMessage(message as SherpaWorkerMessage));
    child.onExit((exit) =>
      this.fail(
        exit.error !== undefined
          ? new EngineError(ENGINE, 'ENGINE_FAILED', `worker crashed: ${exit.error.message}`, {
              cause: exit.error,
            })
          : new EngineError(ENGINE, 'ENGINE_UNAVAILABLE', `worker ${describeExit(exit)}`),
      ),
    );
  }

  /** Starts the worker and waits until it has loaded the voice. */
  static start(
    init: SherpaWorkerInit,
    spawn: SpawnSherpaWorker = spawnSherpaWorker,
  ): Promise<SherpaTtsWorker> {
    const child = spawn(init);
    return new Promise((resolve, reject) => {
      // The first message or the exit decides; a child's listeners cannot be removed, so the
      // later ones are ignored here.
      let settled = false;
      child.onMessage((raw) => {
        if (settled) return;
        settled = true;
        const message = raw as SherpaWorkerMessage;
        if (message.type === 'ready') {
          resolve(new SherpaTtsWorker(child, message));
          return;
        }
        const detail = message.type === 'load-failed' ? message.message : `unexpected ${message.type}`;
        child.stop();
        reject(
          new EngineError(
            ENGINE,
            'ENGINE_UNAVAILABLE',
            `sherpa-onnx could not load ${init.modelFile}: ${detail}`,
          ),
        );
      });
      child.onExit((exit) => {
        if (settled) return;
        settled = true;
        reject(
          exit.error !== undefined
            ? new EngineError(
                ENGINE,
                'ENGINE_UNAVAILABLE',
                `synthesis worker failed to start: ${exit.error.message}`,
                { cause: exit.error },
              )
            : new EngineError(
                ENGINE,
                'ENGINE_UNAVAILABLE',
                `synthesis worker ${describeExit(exit)} during start-up`,
              ),
        );
      });
    });
  }

  /** Whether the process died (or was closed): every sentence fails from then on. */
  get failed(): boolean {
    return this.failure !== undefined;
  }

  /** Synthesizes one sentence; rejects with ABORTED as soon as `signal` fires. */
  generate(text: string, sid: number, speed: number, signal: AbortSignal): Promise<SentenceAudio> {
    if (signal.aborted) return Promise.reject(abortedError(ENGINE, signal));
    if (this.failure) return Promise.reject(this.failure);
    return new Promise<SentenceAudio>((resolve, reject) => {
      const job: Job = {
        request: { type: 'generate', id: this.nextId++, text, sid, speed },
        resolve,
        reject,
        signal,
        onAbort: () => {
          const queued = this.queue.indexOf(job);
          if (queued >= 0) this.queue.splice(queued, 1);
          else job.abandoned = true;
          reject(abortedError(ENGINE, signal));
        },
        abandoned: false,
      };
      signal.addEventListener('abort', job.onAbort, { once: true });
      this.queue.push(job);
      this.pump();
    });
  }

  /** Stops the worker; sentences waiting or running fail with ENGINE_UNAVAILABLE. */
  async close(): Promise<void> {
    this.fail(new EngineError(ENGINE, 'ENGINE_UNAVAILABLE', 'engine is closed'));
    await new Promise<void>((resolve) => {
      this.child.onExit(() => resolve());
      this.child.stop();
    });
  }

  private pump(): void {
    if (this.running !== undefined || this.failure !== undefined) return;
    const job = this.queue.shift();
    if (job === undefined) return;
    this.running = job;
    this.child.send(job.request);
  }

  private onMessage(message: SherpaWorkerMessage): void {
    const job = this.running;
    if (job === undefined || (message.type !== 'audio' && message.type !== 'failed')) return;
    if (message.id !== job.request.id) return;
    this.running = undefined;
    job.signal.removeEventListener('abort', job.onAbort);
    if (!job.abandoned) {
      if (message.type === 'audio') job.resolve({ pcm: message.pcm, sampleRateHz: message.sampleRateHz });
      else job.reject(new EngineError(ENGINE, 'ENGINE_FAILED', `synthesis failed: ${message.message}`));
    }
    this.pump();
  }

  private fail(error: EngineError): void {
    if (this.failure !== undefined) return;
    this.failure = error;
    const jobs = [...(this.running ? [this.running] : []), ...this.queue.splice(0)];
    this.running = undefined;
    for (const job of jobs) {
      job.signal.removeEventListener('abort', job.onAbort);
      if (!job.abandoned) job.reject(error);
    }
  }
}
