import type { AudioFrame } from '../../../media/audio/index.js';
import { AUDIO_ENCODINGS } from '../../../media/audio/index.js';
import type { TtsOutputFormat } from '../../spi/index.js';
import { EngineError, abortedError } from '../../spi/index.js';
import type { SpeechSegment } from '../text/index.js';
import { TtsOutput } from './tts-output.js';

/** Mono PCM16 for one sentence, at whatever rate the engine produced it. */
export interface SentenceAudio {
  readonly pcm: Int16Array;
  readonly sampleRateHz: number;
}

/**
 * Synthesizes one sentence. Must stop at once when `signal` aborts and reject only after the work
 * it started (a child process, a worker job) has ended.
 */
export type SynthesizeSentence = (text: string, rate: number, signal: AbortSignal) => Promise<SentenceAudio>;

export interface StreamUtteranceOptions {
  readonly engine: string;
  readonly format: TtsOutputFormat;
  /** The rate the engine is expected to produce; a sentence at another rate is handled too. */
  readonly nativeRateHz: number;
  readonly signal?: AbortSignal;
  /**
   * The engine's own "closing" signal: aborts the utterance like `signal` does. Kept apart from
   * `signal` so an engine need not combine a per-request signal with its long-lived one (each
   * AbortSignal.any() would hang another dependent on the engine's signal).
   */
  readonly closeSignal?: AbortSignal;
}

type Settled =
  { readonly ok: true; readonly audio: SentenceAudio } | { readonly ok: false; readonly error: unknown };

/**
 * Plays a planned utterance as AudioFrames in the requested format, one sentence at a time: the
 * first sentence's frames are yielded as soon as it is synthesized, and while they are consumed
 * the next sentence (only the next) is being synthesized, so playback does not wait for a process
 * start between sentences and a long prompt never costs more than two sentences of work up front.
 * Breaks become silence frames in the stream.
 *
 * Aborting `signal` cancels the sentences in flight at once and the iterator throws ABORTED; it
 * returns only after those have ended. A consumer that stops iterating early cancels them too.
 */
export async function* streamUtterance(
  plan: readonly SpeechSegment[],
  synthesize: SynthesizeSentence,
  options: StreamUtteranceOptions,
): AsyncGenerator<AudioFrame> {
  const { engine, signal, closeSignal, format } = options;
  const checkAborted = (): void => {
    if (signal?.aborted) throw abortedError(engine, signal);
    if (closeSignal?.aborted) throw abortedError(engine, closeSignal);
  };
  checkAborted();
  if (
    !AUDIO_ENCODINGS.includes(format.encoding) ||
    (format.sampleRateHz !== 8000 && format.sampleRateHz !== 16000)
  ) {
    throw new EngineError(
      engine,
      'UNSUPPORTED_FORMAT',
      `cannot produce ${String(format.encoding)} at ${String(format.sampleRateHz)} Hz; only pcm16, alaw or mulaw at 8000 or 16000 Hz`,
    );
  }
  if (plan.length === 0) return;
  const inner = new AbortController();
  const onAbort = (): void => inner.abort();
  signal?.addEventListener('abort', onAbort, { once: true });
  closeSignal?.addEventListener('abort', onAbort, { once: true });
  const inFlight = new Map<number, Promise<Settled>>();
  const start = (index: number): void => {
    const segment = plan[index];
    if (segment?.kind !== 'text' || inFlight.has(index)) return;
    inFlight.set(
      index,
      synthesize(segment.text, segment.rate, inner.signal).then(
        (audio): Settled => ({ ok: true, audio }),
        (error: unknown): Settled => ({ ok: false, error }),
      ),
    );
  };
  const nextText = (after: number): number => plan.findIndex((s, i) => i > after && s.kind === 'text');
  const output = new TtsOutput(format, options.nativeRateHz);

  try {
    for (const [index, segment] of plan.entries()) {
      if (segment.kind === 'break') {
        start(nextText(index));
        for (const frame of output.silence(segment.durationMs)) {
          checkAborted();
          yield frame;
        }
        continue;
      }
      start(index);
      const result = await inFlight.get(index)!;
      inFlight.delete(index);
      checkAborted();
      if (!result.ok) {
        throw result.error instanceof EngineError
          ? result.error
          : new EngineError(engine, 'ENGINE_FAILED', 'synthesis failed', { cause: result.error });
      }
      start(nextText(index));
      for (const frame of output.push(result.audio.pcm, result.audio.sampleRateHz)) {
        checkAborted();
        yield frame;
      }
    }
    for (const frame of output.flush()) {
      checkAborted();
      yield frame;
    }
  } finally {
    signal?.removeEventListener('abort', onAbort);
    closeSignal?.removeEventListener('abort', onAbort);
    // Whatever ended the stream (the last frame, an error, an abort or a consumer that stopped
    // early), nothing may keep running after it.
    inner.abort();
    await Promise.all(inFlight.values());
  }
}
