import type { Clock } from '../core/index.js';
import type { TtsOutputFormat } from '../engines/spi/index.js';
import { abortedError } from '../engines/spi/index.js';
import type { AudioFrame } from '../media/audio/index.js';
import { createFrame } from '../media/audio/index.js';
import { frameBytes } from './frame-bytes.js';

/** How a shared synthesis ended. */
export type SharedSynthesisOutcome =
  | {
      readonly kind: 'completed';
      /** The frames' bytes in arrival order, copied as they arrived. */
      readonly audio: readonly Uint8Array[];
      readonly synthesisMs: number;
      /** False when the engine sent frames in another format than requested: never store those. */
      readonly formatMatched: boolean;
    }
  | { readonly kind: 'failed'; readonly error: unknown }
  /** Every consumer left before the end, so the synthesis was aborted. */
  | { readonly kind: 'abandoned' };

export interface SharedSynthesisOptions {
  readonly engineName: string;
  readonly format: TtsOutputFormat;
  readonly clock: Clock;
  /** Starts the real synthesis; called once, on the first subscription. */
  readonly start: (signal: AbortSignal) => AsyncIterable<AudioFrame>;
  /** Called synchronously when the last consumer leaves early, before the abort. */
  readonly onAbandoned: () => void;
}

/**
 * One synthesis fanned out to every request for the same key (single-flight). The engine is
 * pulled as fast as it produces, independently of the consumers, and every frame is kept, so a
 * consumer that joins late replays from the first frame and then follows live. Memory is the
 * audio of one utterance: the same bytes the cache is about to store.
 *
 * The synthesis has its own AbortController. A consumer that aborts or stops early only leaves;
 * the synthesis is aborted when the last consumer has left, so a cancelled leader never cuts off
 * its followers.
 */
export class SharedSynthesis {
  /** Resolves (never rejects) once the engine is done, failed, or was abandoned. */
  readonly outcome: Promise<SharedSynthesisOutcome>;
  private readonly options: SharedSynthesisOptions;
  private readonly frames: AudioFrame[] = [];
  private readonly audio: Uint8Array[] = [];
  private readonly controller = new AbortController();
  private waiters: (() => void)[] = [];
  private consumers = 0;
  private started = false;
  private ended: 'completed' | 'failed' | undefined;
  private error: unknown;
  private resolveOutcome: (outcome: SharedSynthesisOutcome) => void = () => undefined;

  constructor(options: SharedSynthesisOptions) {
    this.options = options;
    this.outcome = new Promise((resolve) => {
      this.resolveOutcome = resolve;
    });
  }

  /** False once abandoned: a new request must then start its own synthesis. */
  get joinable(): boolean {
    return !this.controller.signal.aborted;
  }

  /**
   * Streams every frame of the synthesis, from the first, as each arrives. Each consumer gets its
   * own copy of the samples. Aborting `signal` throws EngineError ABORTED from this consumer only.
   */
  async *subscribe(signal?: AbortSignal): AsyncGenerator<AudioFrame> {
    this.consumers++;
    try {
      if (!this.started) {
        this.started = true;
        void this.pump();
      }
      let next = 0;
      for (;;) {
        if (signal?.aborted) throw abortedError(this.options.engineName, signal);
        const frame = this.frames[next];
        if (frame !== undefined) {
          next++;
          yield createFrame(frame.format, frame.data.slice(), frame.timestampMs);
          continue;
        }
        if (this.ended === 'completed') return;
        if (this.ended === 'failed') throw this.error;
        await this.change(signal);
      }
    } finally {
      this.consumers--;
      if (this.consumers === 0 && this.ended === undefined && !this.controller.signal.aborted) {
        this.options.onAbandoned();
        this.controller.abort(new Error('every consumer of the shared synthesis left'));
      }
    }
  }

  private async pump(): Promise<void> {
    const { clock, format } = this.options;
    const startedMs = clock.nowMs();
    let formatMatched = true;
    try {
      for await (const frame of this.options.start(this.controller.signal)) {
        if (
          frame.format.encoding !== format.encoding ||
          frame.format.sampleRateHz !== format.sampleRateHz ||
          frame.format.channels !== 1
        ) {
          formatMatched = false;
        }
        this.audio.push(frameBytes(frame));
        this.frames.push(frame);
        this.wakeAll();
      }
      this.ended = 'completed';
      this.wakeAll();
      this.resolveOutcome(
        this.controller.signal.aborted
          ? { kind: 'abandoned' }
          : { kind: 'completed', audio: this.audio, synthesisMs: clock.nowMs() - startedMs, formatMatched },
      );
    } catch (error) {
      this.ended = 'failed';
      this.error = error;
      this.wakeAll();
      this.resolveOutcome(this.controller.signal.aborted ? { kind: 'abandoned' } : { kind: 'failed', error });
    }
  }

  /** Waits for a new frame, the end, or the consumer's abort. */
  private change(signal: AbortSignal | undefined): Promise<void> {
    return new Promise((resolve) => {
      const wake = (): void => {
        signal?.removeEventListener('abort', wake);
        resolve();
      };
      this.waiters.push(wake);
      signal?.addEventListener('abort', wake, { once: true });
    });
  }

  private wakeAll(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }
}
