import type { SttEvent } from '../../spi/index.js';
import type {
  SherpaOnlineRecognizer,
  SherpaOnlineResult,
  SherpaOnlineStream,
} from './sherpa-recognizer-binding.js';

export interface ChannelDecoderOptions {
  readonly sampleRateHz: number;
  readonly partials: boolean;
  readonly partialIntervalMs: number;
}

/**
 * Streaming zipformers emit one output frame per 40 ms of audio (10 ms fbank hop, subsampling 4);
 * sherpa's own endpoint rules count trailing blanks in the same unit.
 */
const OUTPUT_FRAME_MS = 40;
/**
 * Silence appended at the end of the stream so that the model's last chunk (and its right
 * context) is complete; sherpa's examples pad 0.66 s. It is never counted in offsets.
 */
const TAIL_PADDING_MS = 660;

/**
 * One channel's recognition state inside the worker: feeds audio to a sherpa stream, decodes what
 * is ready, and turns results into SttEvents with offsets from the first sample of the channel.
 *
 * Confidence: streaming transducers report no confidence. When sherpa reports per-token
 * log-probabilities (ys_probs, greedy transducer search) the final's confidence is the geometric
 * mean token probability, exp(mean(ys_probs)); otherwise it is 1, meaning "not measured".
 */
export class ChannelDecoder {
  private readonly stream: SherpaOnlineStream;
  /** Samples fed, at the channel's own rate. */
  private fedSamples = 0;
  /** Where the current segment (since the last endpoint) began. */
  private segmentStartMs = 0;
  private lastPartialText = '';
  private lastPartialAtMs = Number.NEGATIVE_INFINITY;
  private speechStarted = false;
  private speechStartMs = 0;
  /** The previous final's end, so that finals never overlap. */
  private previousEndMs = 0;

  constructor(
    private readonly recognizer: SherpaOnlineRecognizer,
    private readonly options: ChannelDecoderOptions,
  ) {
    this.stream = recognizer.createStream();
  }

  /** Feeds PCM16 at the channel's rate; sherpa resamples 8 kHz to the model's 16 kHz itself. */
  accept(pcm: Int16Array): SttEvent[] {
    const samples = new Float32Array(pcm.length);
    for (let i = 0; i < pcm.length; i++) samples[i] = pcm[i]! / 32768;
    this.stream.acceptWaveform({ samples, sampleRate: this.options.sampleRateHz });
    this.fedSamples += pcm.length;
    return this.decode();
  }

  /** Ends the channel: pads, decodes the rest and returns the last final. */
  finish(): SttEvent[] {
    // The padding goes in at the channel's own rate: sherpa exits the process (not throws) when a
    // stream that it has been resampling is suddenly given another rate.
    const rateHz = this.options.sampleRateHz;
    const padding = new Float32Array(Math.round((TAIL_PADDING_MS * rateHz) / 1000));
    this.stream.acceptWaveform({ samples: padding, sampleRate: rateHz });
    this.stream.inputFinished();
    const events = this.decode(TAIL_PADDING_MS);
    const result = this.recognizer.getResult(this.stream);
    events.push(...this.endSegment(result, this.fedMs()));
    return events;
  }

  private fedMs(): number {
    return (this.fedSamples * 1000) / this.options.sampleRateHz;
  }

  /** `paddingMs`: silence sherpa has been given beyond the real audio; it counts as trailing blanks. */
  private decode(paddingMs = 0): SttEvent[] {
    const events: SttEvent[] = [];
    while (this.recognizer.isReady(this.stream)) this.recognizer.decode(this.stream);
    const result = this.recognizer.getResult(this.stream);
    const nowMs = this.fedMs();
    const text = result.text.trim();
    if (text !== '' && !this.speechStarted) {
      this.speechStarted = true;
      this.speechStartMs = this.textStartMs(result, nowMs);
      events.push({ type: 'speechStarted', offsetMs: this.speechStartMs });
    }
    if (
      this.options.partials &&
      text !== '' &&
      text !== this.lastPartialText &&
      nowMs - this.lastPartialAtMs >= this.options.partialIntervalMs
    ) {
      this.lastPartialText = text;
      this.lastPartialAtMs = nowMs;
      events.push({ type: 'partial', text, startMs: this.speechStartMs, endMs: nowMs });
    }
    if (this.recognizer.isEndpoint(this.stream)) {
      const trailingMs = (result.num_trailing_blanks ?? 0) * OUTPUT_FRAME_MS;
      events.push(...this.endSegment(result, nowMs + paddingMs - trailingMs));
      this.recognizer.reset(this.stream);
      this.segmentStartMs = nowMs;
    }
    return events;
  }

  /** Emits final and speechEnded for the current segment if it produced text. */
  private endSegment(result: SherpaOnlineResult, estimatedEndMs: number): SttEvent[] {
    const text = result.text.trim();
    const started = this.speechStarted;
    this.speechStarted = false;
    this.lastPartialText = '';
    this.lastPartialAtMs = Number.NEGATIVE_INFINITY;
    if (text === '' || !started) return [];
    const nowMs = this.fedMs();
    const startMs = Math.min(Math.max(this.speechStartMs, this.previousEndMs), nowMs);
    const endMs = Math.min(Math.max(estimatedEndMs, startMs), nowMs);
    this.previousEndMs = endMs;
    return [
      { type: 'final', text, startMs, endMs, confidence: confidence(result) },
      { type: 'speechEnded', offsetMs: endMs },
    ];
  }

  /** The first token's time when sherpa reports timestamps (seconds into the segment). */
  private textStartMs(result: SherpaOnlineResult, nowMs: number): number {
    const first = result.timestamps?.[0];
    const startMs = first === undefined ? this.segmentStartMs : this.segmentStartMs + first * 1000;
    return Math.min(Math.max(startMs, this.segmentStartMs, this.previousEndMs), nowMs);
  }
}

function confidence(result: SherpaOnlineResult): number {
  const logProbs = result.ys_probs;
  if (logProbs === undefined || logProbs.length === 0) return 1;
  const mean = logProbs.reduce((sum, p) => sum + p, 0) / logProbs.length;
  const value = Math.exp(mean);
  return Number.isFinite(value) ? Math.min(1, Math.max(0, value)) : 1;
}
