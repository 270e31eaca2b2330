import { Resampler } from '../../../media/audio/index.js';
import type { SttEvent } from '../../spi/index.js';
import type { VadEvent, VoiceActivityDetector } from '../../vad/index.js';
import type { UtteranceResult } from './pocketsphinx-decoder.js';

const DECODER_RATE_HZ = 16000;
const SAMPLES_PER_MS = DECODER_RATE_HZ / 1000;

/** The part of a decoder a channel needs; the real one is PocketsphinxDecoder. */
export interface UtteranceDecoder {
  startUtterance(): void;
  process(pcm16k: Int16Array): void;
  partialText(): string;
  endUtterance(): UtteranceResult;
}

export interface ChannelRecognizerOptions {
  /** 8000 or 16000; 8 kHz is upsampled because the only English model is a 16 kHz one. */
  readonly inputRateHz: number;
  readonly partials: boolean;
  /** Audio time between partial results while speech continues. */
  readonly partialIntervalMs: number;
  /** Audio before the detector's speech start that the decoder also hears (soft onsets). */
  readonly prerollMs: number;
}

/** How much already-seen audio a channel keeps for the decoder to start an utterance with. */
const HISTORY_MS = 2000;

/**
 * Recognizes one channel inside a decoder worker: resamples to 16 kHz, lets the VAD cut
 * utterances, runs one pocketsphinx utterance per detected utterance, and turns all of that into
 * SttEvents with offsets from the first sample of the channel.
 *
 * The detector announces speech only after it has heard enough of it, so the channel keeps the
 * last two seconds of audio and replays them into the decoder from the detected start.
 */
export class ChannelRecognizer {
  private readonly decoder: UtteranceDecoder;
  private readonly vad: VoiceActivityDetector;
  private readonly options: ChannelRecognizerOptions;
  private readonly resampler: Resampler | undefined;
  private history = new Int16Array(DECODER_RATE_HZ * 4);
  /** Absolute sample index (16 kHz) of history[0]. */
  private historyStart = 0;
  private historyLength = 0;
  private fedUpTo = 0;
  private lastUtteranceEnd = 0;
  private utteranceStartMs = -1;
  private lastPartialAt = 0;
  /** Absolute sample index where the decoder's current utterance began (word times count from it). */
  private utteranceDecodeStart = 0;
  private processingMs = 0;

  constructor(decoder: UtteranceDecoder, vad: VoiceActivityDetector, options: ChannelRecognizerOptions) {
    this.decoder = decoder;
    this.vad = vad;
    this.options = options;
    this.resampler =
      options.inputRateHz === DECODER_RATE_HZ
        ? undefined
        : new Resampler(options.inputRateHz, DECODER_RATE_HZ);
  }

  /** Time spent in the decoder and detector so far. */
  get busyMs(): number {
    return this.processingMs;
  }

  /** Feeds PCM16 at the input rate; returns the events it completes. */
  push(pcm: Int16Array): SttEvent[] {
    const started = performance.now();
    const pcm16k = this.resampler === undefined ? pcm : this.resampler.process(pcm);
    this.append(pcm16k);
    const events: SttEvent[] = [];
    for (const vadEvent of this.vad.process(pcm16k)) this.onVad(vadEvent, events);
    this.advance(events);
    this.processingMs += performance.now() - started;
    return events;
  }

  /** Ends the channel: an utterance still open gets its final now. */
  finish(): SttEvent[] {
    const started = performance.now();
    const events: SttEvent[] = [];
    for (const vadEvent of this.vad.flush()) this.onVad(vadEvent, events);
    if (this.utteranceStartMs >= 0) this.endUtterance(this.end(), events);
    this.processingMs += performance.now() - started;
    return events;
  }

  /** Abandons an open utterance without a result (the consumer stopped listening). */
  abandon(): void {
    if (this.utteranceStartMs >= 0) this.decoder.endUtterance();
    this.utteranceStartMs = -1;
  }

  private end(): number {
    return this.historyStart + this.historyLength;
  }

  private onVad(event: VadEvent, events: SttEvent[]): void {
    const at = Math.min(Math.round(event.offsetMs * SAMPLES_PER_MS), this.end());
    if (event.type === 'speechStart') {
      if (this.utteranceStartMs >= 0) return;
      const preroll = Math.round(this.options.prerollMs * SAMPLES_PER_MS);
      const from = Math.max(at - preroll, this.lastUtteranceEnd, this.historyStart);
      this.decoder.startUtterance();
      this.fedUpTo = from;
      this.utteranceDecodeStart = from;
      this.utteranceStartMs = event.offsetMs;
      this.lastPartialAt = at;
      events.push({ type: 'speechStarted', offsetMs: event.offsetMs });
      return;
    }
    if (this.utteranceStartMs < 0) return;
    this.endUtterance(at, events);
  }

  /** Decodes what has arrived and emits a partial whenever the interval has passed. */
  private advance(events: SttEvent[]): void {
    if (this.utteranceStartMs < 0) return;
    this.feedTo(this.end());
    if (!this.options.partials) return;
    const interval = this.options.partialIntervalMs * SAMPLES_PER_MS;
    if (this.fedUpTo - this.lastPartialAt >= interval) {
      this.lastPartialAt = this.fedUpTo;
      events.push({
        type: 'partial',
        text: this.decoder.partialText(),
        startMs: this.utteranceStartMs,
        endMs: this.fedUpTo / SAMPLES_PER_MS,
      });
    }
  }

  private endUtterance(at: number, events: SttEvent[]): void {
    // The decoder may already have heard the trailing silence; that does it no harm.
    this.feedTo(at);
    const decodedFrom = this.utteranceDecodeStart;
    const result = this.decoder.endUtterance();
    const startMs = this.utteranceStartMs;
    const endMs = Math.max(startMs, at / SAMPLES_PER_MS);
    const offsetMs = decodedFrom / SAMPLES_PER_MS;
    const words = result.words.map((w) => ({
      ...w,
      startMs: clamp(w.startMs + offsetMs, startMs, endMs),
      endMs: clamp(w.endMs + offsetMs, startMs, endMs),
    }));
    events.push({
      type: 'final',
      text: result.text,
      startMs,
      endMs,
      confidence: result.confidence,
      words,
    });
    events.push({ type: 'speechEnded', offsetMs: endMs });
    this.lastUtteranceEnd = at;
    this.utteranceStartMs = -1;
  }

  private feedTo(target: number): void {
    if (target <= this.fedUpTo) return;
    const from = Math.max(this.fedUpTo, this.historyStart);
    this.decoder.process(this.history.subarray(from - this.historyStart, target - this.historyStart));
    this.fedUpTo = target;
  }

  private append(pcm16k: Int16Array): void {
    const keep = HISTORY_MS * SAMPLES_PER_MS;
    if (this.historyLength + pcm16k.length > this.history.length) {
      // Drop the oldest audio the decoder can no longer need, then grow if one chunk is huge.
      const needFrom = Math.min(this.end() - keep, this.utteranceStartMs >= 0 ? this.fedUpTo : Infinity);
      const drop = Math.max(0, Math.min(needFrom - this.historyStart, this.historyLength));
      this.history.copyWithin(0, drop, this.historyLength);
      this.historyStart += drop;
      this.historyLength -= drop;
      if (this.historyLength + pcm16k.length > this.history.length) {
        const grown = new Int16Array((this.historyLength + pcm16k.length) * 2);
        grown.set(this.history.subarray(0, this.historyLength));
        this.history = grown;
      }
    }
    this.history.set(pcm16k, this.historyLength);
    this.historyLength += pcm16k.length;
  }
}

function clamp(value: number, low: number, high: number): number {
  return Math.min(high, Math.max(low, value));
}
