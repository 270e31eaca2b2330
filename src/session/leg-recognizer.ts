import { FrameChannel, VoxError } from '../core/index.js';
import type { AudioFormat, AudioFrame } from '../media/audio/index.js';
import { PCM16_16K, PCM16_8K, Resampler, createFrame, sameFormat } from '../media/audio/index.js';
import type { SttEngine, SttEvent, SttOptions } from '../engines/spi/index.js';
import { StreamTimeline } from './stream-timeline.js';

export type RecognizerState = 'off' | 'running' | 'ended' | 'failed';

/** A partial or final result, with offsets already in call time. */
export interface RecognizedText {
  readonly final: boolean;
  readonly text: string;
  readonly startMs: number;
  readonly endMs: number;
  readonly confidence?: number;
}

export interface LegRecognizerOptions {
  readonly stt: SttEngine;
  readonly sttOptions?: SttOptions;
  /** Frames queued for the engine before the oldest is dropped; default 50 (1 s of 20 ms frames). */
  readonly queueFrames?: number;
  readonly onText: (result: RecognizedText) => void;
  /** The engine's `usage` report (audio heard, processing time), for the real-time factor. */
  readonly onUsage?: (usage: { readonly audioMs: number; readonly processingMs: number }) => void;
}

interface QueuedFrame {
  readonly pcm: Int16Array;
  readonly callMs: number;
}

/**
 * One leg's recognition stream: takes 8 kHz PCM16 from the media tick, converts it to the
 * engine's input format (8 kHz as it is when accepted, else 16 kHz through Resampler), queues it
 * in a bounded drop-oldest FrameChannel and runs `stt.transcribe` over it.
 *
 * Call-time offsets: each frame carries its position in the call; a StreamTimeline built as the
 * engine pulls frames maps the engine's stream offsets back, so holds, dropped frames and the
 * leg's start offset all come out right.
 *
 * Errors: an engine error never reaches the call as an event. A retryable EngineError restarts the
 * stream once (a new channel; the timeline simply starts a new run); any other error, or a second
 * one, turns recognition off for the leg and is kept in `lastError`. The 16 kHz resampler's delay
 * (a few samples) is not compensated.
 */
export class LegRecognizer {
  private readonly stt: SttEngine;
  private readonly sttOptions: SttOptions | undefined;
  private readonly queueFrames: number;
  private readonly onText: (result: RecognizedText) => void;
  private readonly onUsage: LegRecognizerOptions['onUsage'];
  private readonly format: AudioFormat | undefined;
  private readonly resampler: Resampler | undefined;
  private readonly abort = new AbortController();
  private channel: FrameChannel<QueuedFrame> | undefined;
  private loop: Promise<void> = Promise.resolve();
  private finishing = false;
  private droppedBefore = 0;
  state: RecognizerState = 'off';
  framesQueued = 0;
  errors = 0;
  restarts = 0;
  lastError: string | undefined;

  constructor(options: LegRecognizerOptions) {
    this.stt = options.stt;
    this.sttOptions = options.sttOptions;
    this.queueFrames = options.queueFrames ?? 50;
    this.onText = options.onText;
    this.onUsage = options.onUsage;
    const accepted = options.stt.capabilities.inputFormats;
    if (accepted.some((f) => sameFormat(f, PCM16_8K))) {
      this.format = PCM16_8K;
    } else if (accepted.some((f) => sameFormat(f, PCM16_16K))) {
      this.format = PCM16_16K;
      this.resampler = new Resampler(8000, 16000);
    } else {
      this.lastError = `UNSUPPORTED_FORMAT: ${options.stt.name} takes neither 8 nor 16 kHz PCM16`;
      this.state = 'failed';
      return;
    }
    this.start();
  }

  /** Frames dropped because the engine fell behind, over every stream of the leg. */
  get drops(): number {
    return this.droppedBefore + (this.channel?.dropped ?? 0);
  }

  /** Frames waiting for the engine. */
  get backlog(): number {
    return this.channel?.size ?? 0;
  }

  /** Offers 8 kHz PCM16 (ownership passes to the recognizer) that sits at `callMs` in the call. */
  push(pcm8k: Int16Array, callMs: number): void {
    const channel = this.channel;
    if (channel === undefined || channel.closed || this.state !== 'running') return;
    const pcm = this.resampler === undefined ? pcm8k : this.resampler.process(pcm8k);
    if (pcm.length === 0) return;
    channel.push({ pcm, callMs });
    this.framesQueued++;
  }

  /**
   * Ends the stream so the engine flushes its last final. Waits at most `timeoutMs`, then aborts the
   * engine and waits at most as long again. Never rejects.
   */
  async finish(timeoutMs: number): Promise<void> {
    if (!this.finishing) {
      this.finishing = true;
      this.channel?.close();
    }
    if (await this.settlesWithin(timeoutMs)) return;
    this.abort.abort(new VoxError('CALL_ENDED', 'the call ended before recognition finished'));
    await this.settlesWithin(timeoutMs);
  }

  private async settlesWithin(timeoutMs: number): Promise<boolean> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timedOut = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    try {
      return await Promise.race([this.loop.then(() => true), timedOut]);
    } finally {
      clearTimeout(timer);
    }
  }

  private start(): void {
    const channel = new FrameChannel<QueuedFrame>({ capacity: this.queueFrames });
    this.channel = channel;
    this.state = 'running';
    this.loop = this.run(channel);
  }

  private async run(channel: FrameChannel<QueuedFrame>): Promise<void> {
    const timeline = new StreamTimeline();
    const options: SttOptions = { ...this.sttOptions, signal: this.abort.signal };
    try {
      for await (const event of this.stt.transcribe(this.frames(channel, timeline), options)) {
        this.deliver(event, timeline);
      }
      this.state = 'ended';
    } catch (error) {
      channel.close();
      this.droppedBefore += channel.dropped;
      this.channel = undefined;
      if (this.abort.signal.aborted) {
        // Our own abort after the flush timeout: the stream ended, the engine did not fail.
        this.state = 'ended';
        this.lastError = 'recognition did not finish in time and was aborted';
        return;
      }
      this.errors++;
      this.lastError = describe(error);
      const retryable = error instanceof Error && 'retryable' in error && error.retryable === true;
      if (retryable && this.restarts === 0 && !this.finishing) {
        this.restarts++;
        this.start();
        await this.loop;
        return;
      }
      this.state = 'failed';
    }
  }

  /** What the engine reads: the channel's frames, restamped with their stream position. */
  private async *frames(
    channel: FrameChannel<QueuedFrame>,
    timeline: StreamTimeline,
  ): AsyncGenerator<AudioFrame> {
    const format = this.format!;
    for await (const item of channel) {
      const durationMs = (item.pcm.length * 1000) / format.sampleRateHz;
      const streamMs = timeline.streamMs;
      timeline.advance(item.callMs, durationMs);
      yield createFrame(format, item.pcm, streamMs);
    }
  }

  private deliver(event: SttEvent, timeline: StreamTimeline): void {
    if (event.type === 'usage') {
      this.onUsage?.({ audioMs: event.audioMs, processingMs: event.processingMs });
      return;
    }
    if (event.type !== 'partial' && event.type !== 'final') return;
    const text = event.text.trim();
    // An utterance the engine could not make words of is not a transcript.
    if (text === '') return;
    const startMs = Math.round(timeline.toCallMs(event.startMs));
    const endMs = Math.max(startMs, Math.round(timeline.toCallMs(event.endMs)));
    if (event.type === 'final') {
      this.onText({ final: true, text, startMs, endMs, confidence: event.confidence });
    } else {
      this.onText({ final: false, text, startMs, endMs });
    }
  }
}

function describe(error: unknown): string {
  if (error instanceof VoxError) return `${error.code}: ${error.message}`;
  return error instanceof Error ? error.message : String(error);
}
