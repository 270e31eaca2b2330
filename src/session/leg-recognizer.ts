import { FrameChannel, InvalidArgumentError, VoxError } from '../core/index.js';
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

/** Why audio of a leg was not recognized (see TranscriptGapEvent). */
export type RecognizerGapReason = 'backlog' | 'engine-restart' | 'engine-failed' | 'flush-timeout';

/** Audio the engine never recognized, in call time. */
export interface RecognizerGap {
  readonly reason: RecognizerGapReason;
  readonly startMs: number;
  readonly endMs: number;
  /** Audio actually lost inside the range (backlog drops may be scattered over it). */
  readonly lostMs: number;
}

export interface LegRecognizerOptions {
  readonly stt: SttEngine;
  readonly sttOptions?: SttOptions;
  /**
   * Audio queued for the engine before the oldest is dropped, in ms; default DEFAULT_BACKLOG_MS.
   * Call sizes it from the engine's measured speed (recognizerBacklogMs).
   */
  readonly backlogMs?: number;
  readonly onText: (result: RecognizedText) => void;
  /** Audio that will never be recognized; every dropped or abandoned millisecond is in one. */
  readonly onGap?: (gap: RecognizerGap) => void;
  /** The engine's `usage` report (audio heard, processing time), for the real-time factor. */
  readonly onUsage?: (usage: { readonly audioMs: number; readonly processingMs: number }) => void;
}

interface QueuedFrame {
  readonly pcm: Int16Array;
  readonly callMs: number;
  readonly durationMs: number;
}

interface OpenGap {
  readonly reason: RecognizerGapReason;
  readonly startMs: number;
  endMs: number;
  lostMs: number;
  /**
   * The newest call time offered when audio was last lost into this gap. A backlog drop loses
   * the oldest frame, seconds behind the frame whose push caused it, so whether drops are still
   * happening is judged on this clock, not on the dropped frames' own times.
   */
  notedAtMs: number;
}

/** The backlog when the caller names none: what recognizerBacklogMs gives the default RTF. */
export const DEFAULT_BACKLOG_MS = 18_000;

/**
 * A stream that carried at least this much call audio before a retryable failure earns another
 * restart: an engine process that crashes now and then (issue 11: engines in supervised child
 * processes) costs a gap each time, not the rest of the call, while one that fails again soon
 * after a restart (a crash loop) turns recognition off for the leg. Measured in audio, not wall
 * time, so the rule is the same on a loaded machine.
 */
export const HEALTHY_STREAM_MS = 10_000;
/** Shortest frame a leg sends (RFC 4566 ptime as MediaLeg accepts it): sizes the item bound. */
const MIN_FRAME_MS = 5;
/**
 * Backlog drops closer than this in call time are one gap: an engine slightly slower than real
 * time takes every other frame, and one event per lost frame would flood subscribers.
 */
const GAP_MERGE_MS = 1000;
/**
 * finish() waits for a draining engine at most this many times the backlog bound beyond its idle
 * timeout: an engine at twice real time works off a full backlog in twice its length.
 */
const DRAIN_LIMIT_FACTOR = 3;
/** A backlog gap still growing is reported once it spans this much, so nobody waits for its end. */
const MAX_OPEN_BACKLOG_GAP_MS = 5000;

/**
 * One leg's recognition stream: takes 8 kHz PCM16 from the media tick, converts it to the
 * engine's input format (8 kHz as it is when accepted, else 16 kHz through Resampler), queues it
 * in a bounded drop-oldest FrameChannel and runs `stt.transcribe` over it.
 *
 * Call-time offsets: each frame carries its position in the call; a StreamTimeline built as the
 * engine pulls frames maps the engine's stream offsets back, so holds, dropped frames and the
 * leg's start offset all come out right.
 *
 * Backlog: the channel holds `backlogMs` of audio (seconds, sized from the engine's speed so a
 * transient overload is absorbed and worked off faster than real time); only beyond that is the
 * oldest audio dropped, and then never silently: dropped frames become `onGap` reports.
 *
 * Errors: an engine error never reaches the call as an event. A retryable EngineError restarts the
 * stream (a new channel; the timeline simply starts a new run): the first time always, later only
 * when the failed stream had carried HEALTHY_STREAM_MS of audio. Any other error, or a retryable
 * one soon after a restart, turns recognition off for the leg and is kept in `lastError`. Either way the audio the
 * engine had not finalized, and for a failure everything after it, is reported through `onGap`.
 * The 16 kHz resampler's delay (a few samples) is not compensated.
 */
export class LegRecognizer {
  private readonly stt: SttEngine;
  private readonly sttOptions: SttOptions | undefined;
  private readonly backlogMs: number;
  private readonly onText: (result: RecognizedText) => void;
  private readonly onGap: LegRecognizerOptions['onGap'];
  private readonly onUsage: LegRecognizerOptions['onUsage'];
  private readonly format: AudioFormat | undefined;
  private readonly resampler: Resampler | undefined;
  private readonly abort = new AbortController();
  private channel: FrameChannel<QueuedFrame> | undefined;
  private loop: Promise<void> = Promise.resolve();
  private finishing = false;
  private droppedBefore = 0;
  /** End (call time) of the newest audio offered, and where the current stream's audio began. */
  private pushedEndMs = Number.NaN;
  private streamStartMs = Number.NaN;
  /** Call time up to which the current stream's engine has delivered its finals. */
  private finalizedMs = Number.NaN;
  private openGap: OpenGap | undefined;
  /** When the engine last took a frame or gave an event (performance.now()): finish() waits while it drains. */
  private lastProgressMs = Number.NEGATIVE_INFINITY;
  state: RecognizerState = 'off';
  /** Gaps reported and the audio they lost, in ms. */
  gaps = 0;
  gapLostMs = 0;
  framesQueued = 0;
  errors = 0;
  restarts = 0;
  lastError: string | undefined;

  constructor(options: LegRecognizerOptions) {
    this.stt = options.stt;
    this.sttOptions = options.sttOptions;
    this.backlogMs = options.backlogMs ?? DEFAULT_BACKLOG_MS;
    if (!(this.backlogMs > 0) || !Number.isFinite(this.backlogMs)) {
      throw new InvalidArgumentError(`backlogMs must be a positive number, not ${this.backlogMs}`);
    }
    this.onText = options.onText;
    this.onGap = options.onGap;
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

  /** Audio waiting for the engine, in ms. */
  get backlogQueuedMs(): number {
    return this.channel?.weight ?? 0;
  }

  /** The most audio the recognizer queues before dropping the oldest, in ms. */
  get backlogLimitMs(): number {
    return this.backlogMs;
  }

  /** Offers 8 kHz PCM16 (ownership passes to the recognizer) that sits at `callMs` in the call. */
  push(pcm8k: Int16Array, callMs: number): void {
    if (this.finishing) return;
    const durationMs = pcm8k.length / 8;
    if (durationMs === 0) return;
    const endMs = callMs + durationMs;
    this.pushedEndMs = Number.isNaN(this.pushedEndMs) ? endMs : Math.max(this.pushedEndMs, endMs);
    const channel = this.channel;
    if (this.state === 'failed' || channel === undefined || channel.closed) {
      // Recognition is off for the rest of the leg: what still comes is audio nobody hears.
      if (this.state === 'failed') this.noteGap('engine-failed', callMs, endMs, durationMs);
      return;
    }
    if (this.state !== 'running') return;
    // A backlog gap ends once audio flows again for a while; report it then.
    const open = this.openGap;
    if (open?.reason === 'backlog' && callMs > open.notedAtMs + GAP_MERGE_MS) this.flushGap();
    const pcm = this.resampler === undefined ? pcm8k : this.resampler.process(pcm8k);
    if (pcm.length === 0) return;
    if (Number.isNaN(this.streamStartMs)) this.streamStartMs = callMs;
    channel.push({ pcm, callMs, durationMs });
    this.framesQueued++;
  }

  /**
   * Ends the stream so the engine works off its backlog and flushes its last final. Waits as long
   * as the engine keeps taking audio, until it has made no progress for `timeoutMs` (and at most
   * `timeoutMs` + DRAIN_LIMIT_FACTOR × the backlog bound in all), then aborts the engine and waits
   * at most `timeoutMs` again. A fixed wait would throw away the backlog of an engine that is
   * behind but catching up: exactly the words the backlog was there to keep. Never rejects.
   */
  async finish(timeoutMs: number): Promise<void> {
    if (!this.finishing) {
      this.finishing = true;
      this.channel?.close();
    }
    const hardLimitMs = timeoutMs + DRAIN_LIMIT_FACTOR * this.backlogMs;
    if (!(await this.settlesWithin(timeoutMs, hardLimitMs))) {
      // Reported now, whether or not the engine even honours the abort: what it has not
      // finalized by this point is given up.
      this.noteUnfinalized('flush-timeout');
      this.abort.abort(new VoxError('CALL_ENDED', 'the call ended before recognition finished'));
      await this.settlesWithin(timeoutMs, timeoutMs);
    }
    this.flushGap();
  }

  /** True once the loop settles; false after `idleMs` without progress or `limitMs` in all. */
  private async settlesWithin(idleMs: number, limitMs: number): Promise<boolean> {
    const startedMs = performance.now();
    const settled = this.loop.then(() => true);
    for (;;) {
      const nowMs = performance.now();
      const idleLeftMs = Math.max(this.lastProgressMs, startedMs) + idleMs - nowMs;
      const leftMs = Math.min(idleLeftMs, startedMs + limitMs - nowMs);
      if (leftMs <= 0) return false;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timedOut = new Promise<false>((resolve) => {
        timer = setTimeout(() => resolve(false), leftMs);
      });
      try {
        if (await Promise.race([settled, timedOut])) return true;
      } finally {
        clearTimeout(timer);
      }
    }
  }

  private start(): void {
    const channel = new FrameChannel<QueuedFrame>({
      // The duration is the bound; the item count only guards against absurdly small frames.
      capacity: Math.ceil(this.backlogMs / MIN_FRAME_MS),
      maxWeight: this.backlogMs,
      weigh: (frame) => frame.durationMs,
      onDrop: (frame) =>
        this.noteGap('backlog', frame.callMs, frame.callMs + frame.durationMs, frame.durationMs),
    });
    this.channel = channel;
    this.streamStartMs = Number.NaN;
    this.finalizedMs = Number.NaN;
    this.state = 'running';
    this.loop = this.run(channel);
  }

  private async run(channel: FrameChannel<QueuedFrame>): Promise<void> {
    const timeline = new StreamTimeline();
    const options: SttOptions = { ...this.sttOptions, signal: this.abort.signal };
    try {
      for await (const event of this.stt.transcribe(this.frames(channel, timeline), options)) {
        // An event is progress too: an engine starved of CPU may hold its in-flight audio for
        // seconds before it takes the next frame, yet still be decoding.
        this.lastProgressMs = performance.now();
        this.deliver(event, timeline);
      }
      if (this.finishing) {
        this.state = 'ended';
        return;
      }
      // The engine stopped reading while the leg still runs: the rest would go unheard.
      channel.close();
      this.droppedBefore += channel.dropped;
      this.channel = undefined;
      this.state = 'failed';
      this.lastError = `${this.stt.name} ended the stream before the leg ended`;
      this.noteUnfinalized('engine-failed');
    } catch (error) {
      channel.close();
      this.droppedBefore += channel.dropped;
      this.channel = undefined;
      if (this.abort.signal.aborted) {
        // Our own abort after the flush timeout (finish() reported the lost audio): the stream
        // ended, the engine did not fail.
        this.state = 'ended';
        this.lastError = 'recognition did not finish in time and was aborted';
        return;
      }
      this.errors++;
      this.lastError = describe(error);
      const retryable = error instanceof Error && 'retryable' in error && error.retryable === true;
      const healthy = this.pushedEndMs - this.streamStartMs >= HEALTHY_STREAM_MS;
      if (retryable && (this.restarts === 0 || healthy) && !this.finishing) {
        this.restarts++;
        this.noteUnfinalized('engine-restart');
        this.start();
        await this.loop;
        return;
      }
      this.state = 'failed';
      this.noteUnfinalized('engine-failed');
    }
  }

  /**
   * The current stream's audio after its last final, up to the newest audio offered: a stream
   * that ends abnormally takes it along (queued frames, audio inside the engine, the utterance in
   * progress).
   */
  private noteUnfinalized(reason: RecognizerGapReason): void {
    const from = Number.isNaN(this.finalizedMs)
      ? this.streamStartMs
      : Math.max(this.finalizedMs, this.streamStartMs);
    if (Number.isNaN(from) || !(this.pushedEndMs > from)) return;
    this.noteGap(reason, from, this.pushedEndMs, this.pushedEndMs - from);
    // Reported at once: subscribers learn of the failure now, not when the call ends. What the
    // leg still sends after a final failure becomes one more gap, reported when it ends.
    this.flushGap();
  }

  /** Adds lost audio to the open gap when it continues it, else reports the open one first. */
  private noteGap(reason: RecognizerGapReason, startMs: number, endMs: number, lostMs: number): void {
    if (!(endMs > startMs)) return;
    const open = this.openGap;
    // After a failure the rest of the leg is one gap, however the audio comes (holds included).
    const merge = reason === 'backlog' ? GAP_MERGE_MS : reason === 'engine-failed' ? Infinity : 1;
    if (
      open !== undefined &&
      open.reason === reason &&
      startMs <= open.endMs + merge &&
      startMs >= open.startMs
    ) {
      open.endMs = Math.max(open.endMs, endMs);
      open.lostMs += lostMs;
      open.notedAtMs = this.pushedEndMs;
    } else {
      this.flushGap();
      this.openGap = { reason, startMs, endMs, lostMs, notedAtMs: this.pushedEndMs };
    }
    const current = this.openGap!;
    if (reason === 'backlog' && current.endMs - current.startMs >= MAX_OPEN_BACKLOG_GAP_MS) this.flushGap();
  }

  private flushGap(): void {
    const gap = this.openGap;
    if (gap === undefined) return;
    this.openGap = undefined;
    this.gaps++;
    this.gapLostMs += gap.lostMs;
    this.onGap?.({
      reason: gap.reason,
      startMs: Math.round(gap.startMs),
      endMs: Math.round(gap.endMs),
      lostMs: Math.round(gap.lostMs),
    });
  }

  /** What the engine reads: the channel's frames, restamped with their stream position. */
  private async *frames(
    channel: FrameChannel<QueuedFrame>,
    timeline: StreamTimeline,
  ): AsyncGenerator<AudioFrame> {
    const format = this.format!;
    for await (const item of channel) {
      this.lastProgressMs = performance.now();
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
    if (event.type === 'final') {
      // Even an empty final means the engine is done with the audio up to its end.
      const doneMs = timeline.toCallMs(event.endMs);
      if (Number.isNaN(this.finalizedMs) || doneMs > this.finalizedMs) this.finalizedMs = doneMs;
    }
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
