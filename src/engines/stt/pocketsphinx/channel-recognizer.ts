import { Resampler } from '../../../media/audio/index.js';
import type { SttEvent } from '../../spi/index.js';
import type { VadEvent, VoiceActivityDetector } from '../../vad/index.js';
import type { UtteranceResult } from './pocketsphinx-decoder.js';

/** engines/vad detectors take 16 kHz only (see VoiceActivityDetector). */
const VAD_RATE_HZ = 16000;

/** The part of a decoder a channel needs; the real one is PocketsphinxDecoder. */
export interface UtteranceDecoder {
  startUtterance(): void;
  /** PCM16 at the rate the decoder was configured for (ChannelRecognizerOptions.decoderRateHz). */
  process(pcm: Int16Array): void;
  partialText(): string;
  endUtterance(): UtteranceResult;
  /** Decodes one whole utterance in a single pass (batch CMN over it); see PocketsphinxDecoder. */
  decodeWholeUtterance(pcm: Int16Array): UtteranceResult;
}

export interface ChannelRecognizerOptions {
  /** 8000 or 16000: the rate of the PCM the channel is pushed. */
  readonly inputRateHz: number;
  /**
   * The rate the decoder's acoustic model expects: 8000 with the telephone model, which then hears
   * 8 kHz input as it is; 16000 with the wideband model, to which 8 kHz input is upsampled.
   */
  readonly decoderRateHz: number;
  readonly partials: boolean;
  /** Audio time between partial results while speech continues. */
  readonly partialIntervalMs: number;
  /** Audio before the detector's speech start that the decoder also hears (soft onsets). */
  readonly prerollMs: number;
  /**
   * `live`: the final is the live decoder's result at the utterance's end. `utterance`: the
   * utterance's audio is decoded once more as a whole when it ends, as pocketsphinx_batch does, so
   * cepstral mean normalization sees the whole utterance instead of a running estimate (on
   * telephone audio with the 8 kHz model that is 16 WER points; docs/benchmarks.md). The live
   * decoder then only runs while partials are wanted.
   */
  readonly finalPass: 'live' | 'utterance';
  /** In `utterance` mode, speech longer than this is cut into utterances of this length. */
  readonly maxUtteranceMs?: number;
}

/** Default cut for one continuous stretch of speech in `utterance` mode; bounds the history kept. */
const DEFAULT_MAX_UTTERANCE_MS = 30_000;

/** How much already-seen audio a channel keeps for the decoder to start an utterance with. */
const HISTORY_MS = 2000;

/**
 * Recognizes one channel inside a decoder worker: resamples only where the decoder's rate differs
 * from the input's, lets the VAD (which hears its own 16 kHz copy) cut utterances, runs one pocketsphinx utterance per detected utterance, and turns all of that into
 * SttEvents with offsets from the first sample of the channel.
 *
 * The detector announces speech only after it has heard enough of it, so the channel keeps the
 * last two seconds of audio and replays them into the decoder from the detected start.
 */
export class ChannelRecognizer {
  private readonly decoder: UtteranceDecoder;
  private readonly vad: VoiceActivityDetector;
  private readonly options: ChannelRecognizerOptions;
  /** Input to decoder rate; undefined when they are equal (8 kHz into the telephone model). */
  private readonly decoderResampler: Resampler | undefined;
  /** Input to the VAD's 16 kHz; undefined for 16 kHz input. */
  private readonly vadResampler: Resampler | undefined;
  private readonly samplesPerMs: number;
  private history: Int16Array;
  /** Absolute sample index (at the decoder rate) of history[0]. */
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
    this.samplesPerMs = options.decoderRateHz / 1000;
    this.history = new Int16Array(options.decoderRateHz * 4);
    this.decoderResampler =
      options.inputRateHz === options.decoderRateHz
        ? undefined
        : new Resampler(options.inputRateHz, options.decoderRateHz);
    // When the decoder runs at the VAD's rate both would need the same resampled audio: one pass.
    this.vadResampler =
      options.inputRateHz === VAD_RATE_HZ || options.decoderRateHz === VAD_RATE_HZ
        ? undefined
        : new Resampler(options.inputRateHz, VAD_RATE_HZ);
  }

  /** True when audio reaches the decoder through a resampler (for tests and diagnostics). */
  get resamplesForDecoder(): boolean {
    return this.decoderResampler !== undefined;
  }

  /** Time spent in the decoder and detector so far. */
  get busyMs(): number {
    return this.processingMs;
  }

  /** Feeds PCM16 at the input rate; returns the events it completes. */
  push(pcm: Int16Array): SttEvent[] {
    const started = performance.now();
    const forDecoder = this.decoderResampler === undefined ? pcm : this.decoderResampler.process(pcm);
    this.append(forDecoder);
    const forVad =
      this.vadResampler !== undefined
        ? this.vadResampler.process(pcm)
        : this.options.decoderRateHz === VAD_RATE_HZ
          ? forDecoder
          : pcm;
    const events: SttEvent[] = [];
    for (const vadEvent of this.vad.process(forVad)) this.onVad(vadEvent, events);
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
    if (this.utteranceStartMs >= 0 && this.liveDecoding) this.decoder.endUtterance();
    this.utteranceStartMs = -1;
  }

  private end(): number {
    return this.historyStart + this.historyLength;
  }

  private onVad(event: VadEvent, events: SttEvent[]): void {
    const at = Math.min(Math.round(event.offsetMs * this.samplesPerMs), this.end());
    if (event.type === 'speechStart') {
      if (this.utteranceStartMs >= 0) return;
      const preroll = Math.round(this.options.prerollMs * this.samplesPerMs);
      const from = Math.max(at - preroll, this.lastUtteranceEnd, this.historyStart);
      this.beginUtterance(from, event.offsetMs, at, events);
      return;
    }
    if (this.utteranceStartMs < 0) return;
    this.endUtterance(at, events);
  }

  /** Whether the live decoder runs: always for `live` finals, else only to give partials. */
  private get liveDecoding(): boolean {
    return this.options.finalPass === 'live' || this.options.partials;
  }

  private beginUtterance(from: number, startMs: number, at: number, events: SttEvent[]): void {
    if (this.liveDecoding) this.decoder.startUtterance();
    this.fedUpTo = from;
    this.utteranceDecodeStart = from;
    this.utteranceStartMs = startMs;
    this.lastPartialAt = at;
    events.push({ type: 'speechStarted', offsetMs: startMs });
  }

  /** Decodes what has arrived and emits a partial whenever the interval has passed. */
  private advance(events: SttEvent[]): void {
    if (this.utteranceStartMs < 0) return;
    if (this.options.finalPass === 'utterance') {
      // The whole utterance stays in the history until it ends; continuous speech is cut here so
      // that the history, and the final's wait, stay bounded.
      const maxSamples = (this.options.maxUtteranceMs ?? DEFAULT_MAX_UTTERANCE_MS) * this.samplesPerMs;
      if (this.end() - this.utteranceDecodeStart >= maxSamples) {
        const at = this.end();
        this.endUtterance(at, events);
        this.beginUtterance(at, at / this.samplesPerMs, at, events);
        return;
      }
    }
    if (!this.liveDecoding) return;
    this.feedTo(this.end());
    if (!this.options.partials) return;
    const interval = this.options.partialIntervalMs * this.samplesPerMs;
    if (this.fedUpTo - this.lastPartialAt >= interval) {
      this.lastPartialAt = this.fedUpTo;
      events.push({
        type: 'partial',
        text: this.decoder.partialText(),
        startMs: this.utteranceStartMs,
        endMs: this.fedUpTo / this.samplesPerMs,
      });
    }
  }

  private endUtterance(at: number, events: SttEvent[]): void {
    const decodedFrom = this.utteranceDecodeStart;
    let result: UtteranceResult;
    if (this.options.finalPass === 'utterance') {
      // The live pass (partials only) is dropped; the final comes from the whole utterance.
      if (this.liveDecoding) this.decoder.endUtterance();
      const from = Math.max(decodedFrom, this.historyStart) - this.historyStart;
      result = this.decoder.decodeWholeUtterance(this.history.subarray(from, at - this.historyStart));
      this.fedUpTo = at;
    } else {
      // The decoder may already have heard the trailing silence; that does it no harm.
      this.feedTo(at);
      result = this.decoder.endUtterance();
    }
    const startMs = this.utteranceStartMs;
    const endMs = Math.max(startMs, at / this.samplesPerMs);
    const offsetMs = decodedFrom / this.samplesPerMs;
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

  private append(pcm: Int16Array): void {
    const keep = HISTORY_MS * this.samplesPerMs;
    if (this.historyLength + pcm.length > this.history.length) {
      // Drop the oldest audio the decoder can no longer need, then grow if one chunk is huge.
      const open = this.utteranceStartMs >= 0;
      const needFromOpen = this.options.finalPass === 'utterance' ? this.utteranceDecodeStart : this.fedUpTo;
      const needFrom = Math.min(this.end() - keep, open ? needFromOpen : Infinity);
      const drop = Math.max(0, Math.min(needFrom - this.historyStart, this.historyLength));
      this.history.copyWithin(0, drop, this.historyLength);
      this.historyStart += drop;
      this.historyLength -= drop;
      if (this.historyLength + pcm.length > this.history.length) {
        const grown = new Int16Array((this.historyLength + pcm.length) * 2);
        grown.set(this.history.subarray(0, this.historyLength));
        this.history = grown;
      }
    }
    this.history.set(pcm, this.historyLength);
    this.historyLength += pcm.length;
  }
}

function clamp(value: number, low: number, high: number): number {
  return Math.min(high, Math.max(low, value));
}
