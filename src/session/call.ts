import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { Clock } from '../core/index.js';
import { TypedEmitter, VoxError, systemClock } from '../core/index.js';
import type { SttEngine, SttOptions } from '../engines/spi/index.js';
import type {
  CallEvent,
  CallTranscription,
  LegCodec,
  LegPacer,
  LegParticipant,
  LegRole,
  LegRoleSource,
} from './call-event.js';
import { codecName } from './call-event.js';
import type { RecognizerGap } from './leg-recognizer.js';
import { LegRecognizer } from './leg-recognizer.js';
import type { RecognizerBacklogOptions } from './recognizer-speed.js';
import { RecognizerSpeed, recognizerBacklogMs } from './recognizer-speed.js';
import { LegRecorder } from './leg-recorder.js';
import type { LegContext } from './media-leg.js';
import { MediaLeg } from './media-leg.js';
import type { MediaTicker } from './media-ticker.js';
import { defaultMediaTicker } from './media-ticker.js';

export interface CallOptions {
  readonly sipCallId: string;
  readonly kind: 'sip' | 'siprec';
  /** Each recognition stream's usage report (audio heard, processing time): the real-time factor. */
  readonly onRecognizerUsage?: (usage: { readonly audioMs: number; readonly processingMs: number }) => void;
  /** Caller and called party URIs, carried on call.started (personal data: never logged). */
  readonly from?: string;
  readonly to?: string;
  /** Undefined: no recognition (`--stt none`). */
  readonly stt?: SttEngine;
  /**
   * Live recognition of this call: default `live` with an `stt`, else `off`. `refused` (the
   * recognizers are at their admission limit, see RecognizerAdmission) runs the call without
   * recognition, recording as usual, and says so on call.started.
   */
  readonly transcription?: 'live' | 'refused';
  readonly sttOptions?: SttOptions;
  /** One µ-law WAV per leg: `<recordDir>/<callId>-<legId>.wav`. */
  readonly recordDir?: string;
  /** Shared by every call; default the process-wide one. Must read the same clock as `clock`. */
  readonly ticker?: MediaTicker;
  readonly clock?: Clock;
  /**
   * How long `end` waits for a recognizer that makes no progress before giving up on its last
   * final (a recognizer still working off its backlog is waited for, within a bound); default
   * 10,000 ms: an engine short of CPU can hold its in-flight audio for seconds between frames.
   */
  readonly flushTimeoutMs?: number;
  /**
   * Audio each recognizer may queue before the oldest is dropped (and reported as a
   * transcript.gap), in ms. Default: sized from the engine's measured speed (recognizerBacklogMs
   * over `recognizerSpeed`, with `recognizerBacklog` tuning it).
   */
  readonly recognizerBacklogMs?: number;
  readonly recognizerBacklog?: Omit<RecognizerBacklogOptions, 'rtf'>;
  /** The engine's measured speed; default the one Call keeps per engine (recognizerSpeedOf). */
  readonly recognizerSpeed?: RecognizerSpeed;
}

const speeds = new WeakMap<SttEngine, RecognizerSpeed>();

/**
 * The measured speed of one engine instance, shared by every call that uses it: each of their
 * recognition streams feeds its usage report in, and each new leg sizes its backlog from it.
 */
export function recognizerSpeedOf(stt: SttEngine): RecognizerSpeed {
  let speed = speeds.get(stt);
  if (speed === undefined) {
    speed = new RecognizerSpeed();
    speeds.set(stt, speed);
  }
  return speed;
}

export interface AddLegOptions {
  readonly role: LegRole;
  readonly codec: LegCodec;
  readonly label?: string;
  readonly pacer?: LegPacer;
  readonly participant?: LegParticipant;
  /** SIPREC legs: which role rule decided `role` (carried by leg.added). */
  readonly roleSource?: LegRoleSource;
}

type CallEvents = { event: (event: CallEvent) => void };

/**
 * One call: its legs, its event stream and the close cascade. Media work lives in MediaLeg and
 * its collaborators; this class only owns identity, ordering of events and ending.
 *
 * Event order: `call.started` is delivered on the next microtask, so a listener attached right
 * after construction still sees it; anything raised before then (a leg added at once) is held
 * and delivered after it, in order. `call.ended` is always last; listeners are dropped after it.
 */
export class Call {
  readonly id: string = randomUUID();
  readonly sipCallId: string;
  readonly kind: 'sip' | 'siprec';
  readonly startedAtWallMs: number;
  readonly transcription: CallTranscription;
  private readonly options: CallOptions;
  private readonly stt: SttEngine | undefined;
  private readonly speed: RecognizerSpeed | undefined;
  private readonly clock: Clock;
  private readonly ticker: MediaTicker;
  private readonly startMs: number;
  private readonly emitter = new TypedEmitter<CallEvents>();
  private readonly legList: MediaLeg[] = [];
  private pending: CallEvent[] | undefined = [];
  private ending: Promise<void> | undefined;
  private nextLeg = 1;

  constructor(options: CallOptions) {
    this.options = options;
    this.sipCallId = options.sipCallId;
    this.kind = options.kind;
    this.clock = options.clock ?? systemClock;
    this.ticker = options.ticker ?? defaultMediaTicker();
    this.startMs = this.clock.nowMs();
    this.startedAtWallMs = this.clock.wallMs();
    this.transcription =
      options.stt === undefined ? 'off' : options.transcription === 'refused' ? 'refused' : 'live';
    this.stt = this.transcription === 'live' ? options.stt : undefined;
    this.speed =
      this.stt === undefined ? undefined : (options.recognizerSpeed ?? recognizerSpeedOf(this.stt));
    const started: CallEvent = {
      type: 'call.started',
      callId: this.id,
      sipCallId: this.sipCallId,
      kind: this.kind,
      transcription: this.transcription,
      ...(options.from === undefined ? {} : { from: options.from }),
      ...(options.to === undefined ? {} : { to: options.to }),
      timestamp: new Date(this.startedAtWallMs).toISOString(),
    };
    queueMicrotask(() => {
      const held = this.pending ?? [];
      this.pending = undefined;
      this.emitter.emit('event', started);
      for (const event of held) this.emitter.emit('event', event);
    });
  }

  get legs(): readonly MediaLeg[] {
    return this.legList;
  }

  /** True once `end` has been called. */
  get ended(): boolean {
    return this.ending !== undefined;
  }

  /** Every CallEvent, in order. Returns the function that removes the listener. */
  on(event: 'event', listener: (event: CallEvent) => void): () => void {
    return this.emitter.on(event, listener);
  }

  /** Adds a leg and starts its media graph. Throws CALL_ENDED after `end`. */
  addLeg(options: AddLegOptions): MediaLeg {
    if (this.ending !== undefined) {
      throw new VoxError('CALL_ENDED', `call ${this.id} has ended; no leg can be added`);
    }
    const id = `leg-${this.nextLeg++}`;
    const stt = this.stt;
    const recordDir = this.options.recordDir;
    const leg = new MediaLeg({
      id,
      role: options.role,
      codec: options.codec,
      context: this.legContext(),
      ...(options.label === undefined ? {} : { label: options.label }),
      ...(options.pacer === undefined ? {} : { pacer: options.pacer }),
      ...(stt === undefined
        ? {}
        : {
            recognizer: (onText) =>
              new LegRecognizer({
                stt,
                onText,
                onUsage: (usage) => {
                  this.speed?.observe(usage);
                  this.options.onRecognizerUsage?.(usage);
                },
                onGap: (gap) => this.emitGap(id, options.role, gap),
                ...(this.options.sttOptions === undefined ? {} : { sttOptions: this.options.sttOptions }),
                backlogMs: this.backlogMs(),
              }),
          }),
      ...(recordDir === undefined
        ? {}
        : { recorder: new LegRecorder(join(recordDir, `${this.id}-${id}.wav`)) }),
    });
    this.legList.push(leg);
    this.emit({
      type: 'leg.added',
      callId: this.id,
      sipCallId: this.sipCallId,
      legId: id,
      role: options.role,
      ...(options.label === undefined ? {} : { label: options.label }),
      codec: codecName(leg.codec),
      ...(options.participant === undefined ? {} : { participant: options.participant }),
      ...(options.roleSource === undefined ? {} : { roleSource: options.roleSource }),
    });
    this.ticker.add(leg);
    return leg;
  }

  /**
   * Ends the call: legs leave the ticker, each recognizer flushes its last final (bounded wait),
   * recordings close, then `call.ended` is emitted last. Idempotent: every call returns the same
   * promise, which resolves when every resource is released and never rejects.
   */
  end(reason: string): Promise<void> {
    this.ending ??= this.close(reason);
    return this.ending;
  }

  private async close(reason: string): Promise<void> {
    const endedAtMs = this.clock.nowMs();
    for (const leg of this.legList) this.ticker.remove(leg);
    const flushTimeoutMs = this.options.flushTimeoutMs ?? 10_000;
    await Promise.all(this.legList.map((leg) => leg.close(flushTimeoutMs)));
    // call.started may still be held if end() came in the same synchronous run as the constructor.
    await Promise.resolve();
    this.emit({
      type: 'call.ended',
      callId: this.id,
      sipCallId: this.sipCallId,
      reason,
      durationMs: Math.max(0, Math.round(endedAtMs - this.startMs)),
      timestamp: new Date(this.clock.wallMs()).toISOString(),
    });
    this.emitter.removeAllListeners();
  }

  /** The backlog a new leg's recognizer gets: configured, or sized from the engine's speed now. */
  private backlogMs(): number {
    if (this.options.recognizerBacklogMs !== undefined) return this.options.recognizerBacklogMs;
    return recognizerBacklogMs({
      ...this.options.recognizerBacklog,
      rtf: this.speed?.rtf ?? Number.NaN,
    });
  }

  private emitGap(legId: string, role: LegRole, gap: RecognizerGap): void {
    this.emit({
      type: 'transcript.gap',
      callId: this.id,
      sipCallId: this.sipCallId,
      legId,
      role,
      startMs: Math.max(0, gap.startMs),
      endMs: Math.max(0, gap.endMs),
      lostMs: gap.lostMs,
      reason: gap.reason,
      timestamp: new Date(this.clock.wallMs()).toISOString(),
    });
  }

  private emit(event: CallEvent): void {
    if (this.pending !== undefined) this.pending.push(event);
    else this.emitter.emit('event', event);
  }

  private legContext(): LegContext {
    return {
      callId: this.id,
      sipCallId: this.sipCallId,
      clock: this.clock,
      callStartMs: this.startMs,
      emit: (event) => this.emit(event),
    };
  }
}
