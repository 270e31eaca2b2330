import type { Clock } from '../core/index.js';
import { VoxError } from '../core/index.js';
import type { AudioFrame } from '../media/audio/index.js';
import { g711Decode, g711Encode } from '../media/codecs/index.js';
import type { DtmfEvent, JitterBufferOutput, RtpPacket } from '../media/rtp/index.js';
import { DtmfReceiver } from '../media/rtp/index.js';
import type { CallEvent, LegCodec, LegPacer, LegRole } from './call-event.js';
import { LegJitter } from './leg-jitter.js';
import type { LegRecognizer, RecognizedText, RecognizerState } from './leg-recognizer.js';
import type { LegRecorder } from './leg-recorder.js';
import type { MediaTickable } from './media-ticker.js';
import { playbackPayloads } from './playback-payloads.js';

/** What a leg needs from its call. */
export interface LegContext {
  readonly callId: string;
  readonly sipCallId: string;
  readonly clock: Clock;
  /** Monotonic time the call started at; every event offset is measured from it. */
  readonly callStartMs: number;
  emit(event: CallEvent): void;
}

export interface MediaLegInit {
  readonly id: string;
  readonly role: LegRole;
  readonly label?: string;
  readonly codec: LegCodec;
  readonly pacer?: LegPacer;
  readonly context: LegContext;
  /** Built by the call with `onText` bound to this leg (see Call.addLeg). */
  readonly recognizer?: (onText: (result: RecognizedText) => void) => LegRecognizer;
  readonly recorder?: LegRecorder;
}

export interface MediaLegStats {
  /** RTP packets pushed, of every payload type. */
  readonly packets: number;
  readonly dtmfPackets: number;
  /** Packets of a payload type that is neither the codec nor telephone-event: dropped. */
  readonly unknownPayloadType: number;
  /** Audio packets dropped because the leg was on hold. */
  readonly heldDropped: number;
  /** Jitter buffer: played, lost (never played), concealed, late, duplicate, out of window. */
  readonly played: number;
  readonly lost: number;
  readonly concealed: number;
  readonly late: number;
  readonly duplicates: number;
  readonly outOfWindow: number;
  readonly jitterMs: number;
  /** Digits reported as `dtmf` events (both sources). */
  readonly dtmfDigits: number;
  /** SIP INFO digits that were not 0-9, *, #, A-D. */
  readonly dtmfInvalid: number;
  readonly recognizer: RecognizerState;
  readonly recognizerFrames: number;
  readonly recognizerDrops: number;
  readonly recognizerBacklog: number;
  readonly recognizerErrors: number;
  readonly recognizerRestarts: number;
  readonly recognizerError?: string;
  readonly recordedBytes: number;
  readonly recordingDroppedBytes: number;
  readonly recordingError?: string;
}

/** Gain applied to the repeated frame for the n-th consecutive concealed loss: 0.7^n. */
const CONCEAL_DECAY = 0.7;
const DTMF_DIGIT = /^[0-9*#A-D]$/;

/**
 * One RTP stream of a call and its media graph, run once per ptime by the MediaTicker:
 * jitter buffer → G.711 decode → recording (µ-law) and recognizer (see LegRecognizer).
 *
 * Per tick, once the first packet has played, exactly one ptime of audio goes on: the packet;
 * for a loss the buffer asks to conceal, the recognizer gets the last frame repeated at 0.7^n gain
 * (the recording gets silence: it keeps what was received); otherwise (later losses, underruns,
 * pauses in sending) silence. So the recording's and the recognizer's timelines follow the clock.
 * Before the first packet nothing is produced: the recording starts with the first audio, one
 * playout delay after the first packet arrived.
 *
 * Hold: while held, audio packets are dropped and counted (`heldDropped`), no loss is counted,
 * and nothing reaches the recognizer; the recording gets silence so its timeline still holds.
 * Holding and resuming restart the jitter buffer, so the gap is not loss.
 */
export class MediaLeg implements MediaTickable {
  readonly id: string;
  readonly role: LegRole;
  readonly label?: string;
  private codecValue: LegCodec;
  private readonly pacer: LegPacer | undefined;
  private readonly context: LegContext;
  private readonly jitter: LegJitter;
  private readonly dtmf = new DtmfReceiver({ clockRateHz: 8000 });
  private readonly recognizer: LegRecognizer | undefined;
  private readonly recorder: LegRecorder | undefined;
  private readonly playAbort = new AbortController();
  private held = false;
  private started = false;
  private closed = false;
  private lastPcm: Int16Array = new Int16Array(0);
  private concealRun = 0;
  private dtmfStartMs = 0;
  private readonly counts = {
    packets: 0,
    dtmfPackets: 0,
    unknownPayloadType: 0,
    heldDropped: 0,
    dtmfDigits: 0,
    dtmfInvalid: 0,
  };

  constructor(init: MediaLegInit) {
    this.id = init.id;
    this.role = init.role;
    if (init.label !== undefined) this.label = init.label;
    this.codecValue = normalizeCodec(init.codec);
    this.pacer = init.pacer;
    this.context = init.context;
    this.jitter = new LegJitter(this.codecValue.ptimeMs);
    this.recognizer = init.recognizer?.((result) => this.emitText(result));
    this.recorder = init.recorder;
  }

  get codec(): LegCodec {
    return this.codecValue;
  }

  get ptimeMs(): number {
    return this.codecValue.ptimeMs;
  }

  get onHold(): boolean {
    return this.held;
  }

  /** HOT PATH: one received RTP packet. Never throws. */
  pushRtp(packet: RtpPacket, arrivalMs: number): void {
    if (this.closed) return;
    this.counts.packets++;
    const codec = this.codecValue;
    const pt = packet.payloadType;
    if (pt === codec.payloadType) {
      if (this.held) this.counts.heldDropped++;
      else this.jitter.push(packet, arrivalMs);
    } else if (pt === codec.telephoneEventPayloadType) {
      this.counts.dtmfPackets++;
      // RFC 4733 §2.5.1: events bypass the jitter buffer; their timing is in the payload.
      this.onDtmfEvents(this.dtmf.push(packet, arrivalMs), arrivalMs);
    } else {
      this.counts.unknownPayloadType++;
    }
  }

  /** A digit that came by SIP INFO (application/dtmf-relay or application/dtmf). Never throws. */
  pushDtmf(digit: string, durationMs: number): void {
    if (this.closed) return;
    const normalized = digit.trim().toUpperCase();
    if (!DTMF_DIGIT.test(normalized)) {
      this.counts.dtmfInvalid++;
      return;
    }
    const duration = Number.isFinite(durationMs) && durationMs > 0 ? durationMs : 0;
    this.emitDigit(normalized, duration, 'info', this.context.clock.nowMs());
  }

  /**
   * A re-INVITE's codec. The same codec again changes nothing; another payload type or law drops
   * what the jitter buffer holds (it was encoded for the old one) and restarts it; another ptime
   * replaces the buffer. Statistics carry over.
   */
  updateCodec(codec: LegCodec): void {
    const next = normalizeCodec(codec);
    const current = this.codecValue;
    this.codecValue = next;
    if (next.ptimeMs !== current.ptimeMs) this.jitter.replace(next.ptimeMs);
    else if (next.payloadType !== current.payloadType || next.encoding !== current.encoding)
      this.jitter.reset();
  }

  setHold(onHold: boolean): void {
    if (onHold === this.held) return;
    this.held = onHold;
    this.jitter.reset();
    this.concealRun = 0;
  }

  /**
   * Plays frames to the far end through the leg's pacer (see playbackPayloads for the conversion).
   * Rejects with NO_PACER if the leg has none, LEG_CLOSED after the call ended.
   */
  async play(frames: AsyncIterable<AudioFrame>, options: { signal?: AbortSignal } = {}): Promise<void> {
    if (this.pacer === undefined) {
      throw new VoxError('NO_PACER', `leg ${this.id} has no outbound pacer, so it cannot play audio`);
    }
    if (this.closed) throw new VoxError('LEG_CLOSED', `leg ${this.id} has ended`);
    const signal =
      options.signal === undefined
        ? this.playAbort.signal
        : AbortSignal.any([this.playAbort.signal, options.signal]);
    await this.pacer.play(
      playbackPayloads(frames, () => this.codecValue, signal),
      { signal },
    );
  }

  get stats(): MediaLegStats {
    const j = this.jitter.stats;
    const r = this.recognizer;
    return {
      ...this.counts,
      played: j.played,
      lost: j.lost,
      concealed: j.concealed,
      late: j.late,
      duplicates: j.duplicates,
      outOfWindow: j.dropped,
      jitterMs: this.jitter.jitterMs,
      recognizer: r?.state ?? 'off',
      recognizerFrames: r?.framesQueued ?? 0,
      recognizerDrops: r?.drops ?? 0,
      recognizerBacklog: r?.backlog ?? 0,
      recognizerErrors: r?.errors ?? 0,
      recognizerRestarts: r?.restarts ?? 0,
      ...(r?.lastError === undefined ? {} : { recognizerError: r.lastError }),
      recordedBytes: this.recorder?.recordedBytes ?? 0,
      recordingDroppedBytes: this.recorder?.droppedBytes ?? 0,
      ...(this.recorder?.error === undefined ? {} : { recordingError: this.recorder.error }),
    };
  }

  /** One playout period, due at `dueMs` on the monotonic clock (called by the MediaTicker). */
  onTick(dueMs: number): void {
    if (this.closed) return;
    this.onDtmfEvents(this.dtmf.tick(dueMs), dueMs);
    const samples = this.codecValue.ptimeMs * 8;
    if (this.held) {
      if (this.started) this.recorder?.appendSilence(samples);
      return;
    }
    const out = this.jitter.pop(dueMs);
    if (this.recognizer === undefined) {
      // Nobody listens to the PCM (`--stt none`): keep the playout clock, stats and recording,
      // but skip decoding, so a thousand idle legs make no per-packet garbage.
      this.recordOnly(out, samples);
      return;
    }
    let pcm: Int16Array;
    if (out.kind === 'packet') {
      const payload = out.packet.payload;
      pcm = g711Decode(this.codecValue.encoding, payload);
      this.recorder?.append(this.codecValue.encoding === 'mulaw' ? payload : g711Encode('mulaw', pcm));
      // A private copy: the frame itself may be transferred to a recognizer worker.
      if (this.lastPcm.length !== pcm.length) this.lastPcm = new Int16Array(pcm.length);
      this.lastPcm.set(pcm);
      this.concealRun = 0;
      this.started = true;
    } else if (!this.started) {
      return;
    } else if (out.kind === 'lost' && out.conceal && this.lastPcm.length > 0) {
      this.concealRun++;
      pcm = attenuate(this.lastPcm, CONCEAL_DECAY ** this.concealRun);
      // The recording keeps what was received: a lost packet is silence there, never invented audio.
      this.recorder?.appendSilence(samples);
    } else {
      pcm = new Int16Array(samples);
      this.recorder?.appendSilence(samples);
    }
    // The frame was spoken about one playout delay before it plays.
    const callMs = dueMs - this.jitter.depthMs - this.context.callStartMs;
    this.recognizer?.push(pcm, callMs);
  }

  private recordOnly(out: JitterBufferOutput, samples: number): void {
    if (out.kind === 'packet') {
      const payload = out.packet.payload;
      this.started = true;
      if (this.recorder === undefined) return;
      this.recorder.append(
        this.codecValue.encoding === 'mulaw' ? payload : g711Encode('mulaw', g711Decode('alaw', payload)),
      );
    } else if (this.started) {
      this.recorder?.appendSilence(samples);
    }
  }

  /** Stops playback, flushes recognition (bounded) and closes the recording. Never rejects. */
  async close(flushTimeoutMs: number): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.playAbort.abort(new VoxError('LEG_CLOSED', `leg ${this.id} has ended`));
    this.pacer?.stop();
    await Promise.all([this.recognizer?.finish(flushTimeoutMs), this.recorder?.close()]);
  }

  private onDtmfEvents(events: readonly DtmfEvent[], nowMs: number): void {
    for (const event of events) {
      if (event.kind === 'start') this.dtmfStartMs = nowMs;
      else if (event.kind === 'end')
        this.emitDigit(event.digit, event.durationMs, 'rfc4733', this.dtmfStartMs);
    }
  }

  private emitDigit(digit: string, durationMs: number, source: 'rfc4733' | 'info', atMonoMs: number): void {
    this.counts.dtmfDigits++;
    const { callId, sipCallId, clock, callStartMs } = this.context;
    this.context.emit({
      type: 'dtmf',
      callId,
      sipCallId,
      legId: this.id,
      role: this.role,
      digit,
      durationMs,
      source,
      atMs: Math.max(0, Math.round(atMonoMs - callStartMs)),
      timestamp: new Date(clock.wallMs()).toISOString(),
    });
  }

  private emitText(result: RecognizedText): void {
    const { callId, sipCallId, clock } = this.context;
    this.context.emit({
      type: result.final ? 'transcript.final' : 'transcript.partial',
      callId,
      sipCallId,
      legId: this.id,
      role: this.role,
      text: result.text,
      startMs: result.startMs,
      endMs: result.endMs,
      timestamp: new Date(clock.wallMs()).toISOString(),
      ...(result.confidence === undefined ? {} : { confidence: result.confidence }),
    });
  }
}

function attenuate(pcm: Int16Array, gain: number): Int16Array {
  const out = new Int16Array(pcm.length);
  for (let i = 0; i < pcm.length; i++) out[i] = Math.round(pcm[i]! * gain);
  return out;
}

/**
 * The SDP's ptime, if usable: whole milliseconds from 5 to 200 (RFC 4566 §6 leaves it to us).
 * Anything else becomes 20 ms, the G.711 default (RFC 3551 §4.5), rather than an exception in
 * the middle of answering a re-INVITE.
 */
function normalizeCodec(codec: LegCodec): LegCodec {
  const ok = Number.isInteger(codec.ptimeMs) && codec.ptimeMs >= 5 && codec.ptimeMs <= 200;
  return ok ? codec : { ...codec, ptimeMs: 20 };
}
