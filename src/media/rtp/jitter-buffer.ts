import { InvalidArgumentError } from '../../core/index.js';
import type { RtpPacket } from './rtp-packet.js';
import { seqAdd, seqDelta, timestampDelta } from './sequence-math.js';

/**
 * What one playout tick yields:
 * - `packet`: the next packet in sequence order; decode and play it.
 * - `lost`: sequence numbers `seq` .. `seq + count - 1` (mod 2^16) will never be played. While
 *   playing, `count` is 1 and the result stands for this tick's frame: `conceal` says whether to
 *   run packet loss concealment (the first `maxConcealFrames` consecutive losses) or play
 *   silence. After an underrun, the gap before the resumed packets is reported once as a range
 *   with `conceal: false`, because its time already passed as `empty` ticks.
 * - `empty`: nothing to play this tick (initial buffering, underrun, or the adaptive buffer
 *   growing); play silence or comfort noise.
 * Every sequence number the buffer learns is missing is reported in exactly one `lost` result.
 */
export type JitterBufferOutput =
  | { readonly kind: 'packet'; readonly packet: RtpPacket }
  | { readonly kind: 'lost'; readonly seq: number; readonly count: number; readonly conceal: boolean }
  | { readonly kind: 'empty' };

/** What `push` did with a packet. Only `accepted` packets can come out of `pop`. */
export type JitterPushResult = 'accepted' | 'duplicate' | 'late' | 'dropped';

export interface JitterBufferOptions {
  /** RTP clock rate of the stream. Default 8000. */
  readonly clockRateHz?: number;
  /** Audio per packet, which is also the interval at which the caller calls `pop`. Default 20. */
  readonly ptimeMs?: number;
  /** Playout delay (fixed mode) or starting delay (adaptive mode). Default 60. */
  readonly depthMs?: number;
  /** When set, the delay follows the measured jitter within these bounds. */
  readonly adaptive?: { readonly minDepthMs: number; readonly maxDepthMs: number };
  /** Most packets held at once; rounded up to a power of two, at least 4. Default 64. */
  readonly maxPackets?: number;
  /** Consecutive lost frames reported with `conceal: true` before silence. Default 3. */
  readonly maxConcealFrames?: number;
}

export interface JitterBufferStats {
  readonly accepted: number;
  readonly played: number;
  readonly lost: number;
  readonly concealed: number;
  readonly late: number;
  readonly duplicates: number;
  /** Packets too far ahead of the playout point to hold. */
  readonly dropped: number;
  readonly ssrcChanges: number;
  /** Sequence discontinuities (RFC 3550 A.1 style: two sequential packets far off) restarted on. */
  readonly resyncs: number;
  readonly underruns: number;
}

/** Every counter at zero: a buffer before its first packet. */
export const EMPTY_JITTER_STATS: JitterBufferStats = Object.freeze({
  accepted: 0,
  played: 0,
  lost: 0,
  concealed: 0,
  late: 0,
  duplicates: 0,
  dropped: 0,
  ssrcChanges: 0,
  resyncs: 0,
  underruns: 0,
});

/** How many times the measured jitter the adaptive mode keeps as delay. */
const JITTER_MULTIPLIER = 4;

const EMPTY: JitterBufferOutput = Object.freeze({ kind: 'empty' });

const SLOT_FREE = 0;
const SLOT_HELD = 1;
const SLOT_PLAYED = 2;

type Mode = 'idle' | 'waiting' | 'buffering' | 'playing';

/**
 * Pull-based jitter buffer for one RTP stream (one 5-tuple; the caller decides identity). Packets
 * sit in a ring indexed by sequence number modulo capacity, so push and pop are O(1) and allocate
 * nothing but the result. Call `pop` once every `ptimeMs`.
 */
export class JitterBuffer {
  private readonly clockRateHz: number;
  private readonly ptimeMs: number;
  private readonly minDepthMs: number;
  private readonly maxDepthMs: number;
  private readonly adaptive: boolean;
  private readonly maxConcealFrames: number;
  private readonly capacity: number;
  private readonly mask: number;
  private readonly slots: (RtpPacket | undefined)[];
  private readonly slotSeq: Int32Array;
  private readonly slotState: Uint8Array;

  private mode: Mode = 'idle';
  private ssrc = -1;
  private previousSsrc = -1;
  private nextSeq = 0;
  private highestSeq = 0;
  private held = 0;
  private hasPlayed = false;
  private bufferStartMs = 0;
  private consecutiveLost = 0;
  private badSeq = -1;
  private pendingLostSeq = 0;
  private pendingLostCount = 0;
  private currentDepthMs: number;
  private jitterEstimateMs = 0;
  private lastArrivalMs = 0;
  private lastTimestamp = 0;
  private hasTransit = false;
  private acceptedSinceSwitch = 0;
  private readonly counters: { -readonly [K in keyof JitterBufferStats]: number } = { ...EMPTY_JITTER_STATS };

  constructor(options: JitterBufferOptions = {}) {
    this.clockRateHz = options.clockRateHz ?? 8000;
    this.ptimeMs = options.ptimeMs ?? 20;
    this.maxConcealFrames = options.maxConcealFrames ?? 3;
    const depthMs = options.depthMs ?? 60;
    this.adaptive = options.adaptive !== undefined;
    this.minDepthMs = options.adaptive?.minDepthMs ?? depthMs;
    this.maxDepthMs = options.adaptive?.maxDepthMs ?? depthMs;
    const maxPackets = options.maxPackets ?? 64;
    if (!(this.clockRateHz > 0) || !(this.ptimeMs > 0)) {
      throw new InvalidArgumentError('jitter buffer needs a positive clock rate and ptime');
    }
    if (!(this.minDepthMs >= 0) || !(this.maxDepthMs >= this.minDepthMs)) {
      throw new InvalidArgumentError(
        `jitter depth range ${this.minDepthMs}..${this.maxDepthMs} ms is invalid`,
      );
    }
    if (!Number.isInteger(this.maxConcealFrames) || this.maxConcealFrames < 0) {
      throw new InvalidArgumentError('maxConcealFrames must be a non-negative integer');
    }
    if (!Number.isInteger(maxPackets) || maxPackets < 1 || maxPackets > 32768) {
      throw new InvalidArgumentError(`maxPackets ${maxPackets} is outside 1..32768`);
    }
    this.capacity = Math.max(4, 2 ** Math.ceil(Math.log2(maxPackets)));
    if (this.maxDepthMs / this.ptimeMs >= this.capacity) {
      throw new InvalidArgumentError(
        `a ${this.maxDepthMs} ms depth needs more than ${this.capacity} packets`,
      );
    }
    this.mask = this.capacity - 1;
    this.slots = new Array<RtpPacket | undefined>(this.capacity).fill(undefined);
    this.slotSeq = new Int32Array(this.capacity).fill(-1);
    this.slotState = new Uint8Array(this.capacity);
    this.currentDepthMs = Math.min(this.maxDepthMs, Math.max(this.minDepthMs, depthMs));
  }

  /** Current playout delay in milliseconds. */
  get depthMs(): number {
    return this.currentDepthMs;
  }

  /** Smoothed interarrival jitter in milliseconds (RFC 3550 §6.4.1 estimator). */
  get jitterMs(): number {
    return this.jitterEstimateMs;
  }

  /** Packets currently held. */
  get size(): number {
    return this.held;
  }

  get stats(): JitterBufferStats {
    return { ...this.counters };
  }

  /** Offers one received packet. `arrivalMs` is a monotonic receive time. */
  push(packet: RtpPacket, arrivalMs: number): JitterPushResult {
    if (packet.ssrc !== this.ssrc) {
      if (
        this.mode !== 'idle' &&
        packet.ssrc === this.previousSsrc &&
        this.acceptedSinceSwitch < this.capacity
      ) {
        // A straggler of the stream just replaced: switching back for it would flap. Long after
        // the switch, the old SSRC returning is a real change (for example a transfer back).
        this.counters.late++;
        return 'late';
      }
      if (this.mode !== 'idle') {
        this.counters.ssrcChanges++;
        this.previousSsrc = this.ssrc;
      }
      this.acceptedSinceSwitch = 0;
      this.startStream(packet.ssrc, packet.sequenceNumber, arrivalMs);
    }
    // Late and reordered packets are exactly what the jitter estimate has to see.
    this.measureJitter(packet.timestamp, arrivalMs);
    const seq = packet.sequenceNumber;
    const delta = seqDelta(seq, this.nextSeq);
    if (delta >= this.capacity || delta < -this.capacity) {
      const result = this.outOfWindow(seq, delta, arrivalMs);
      if (result !== 'accepted') return result;
    } else if (delta < 0) {
      const canMoveBack =
        !this.hasPlayed && this.mode === 'buffering' && seqDelta(this.highestSeq, seq) < this.capacity;
      if (!canMoveBack) return this.behindPlayout(seq);
      // Still filling for the first time: an earlier packet that arrives late simply starts playout.
      this.nextSeq = seq;
    }
    const index = seq & this.mask;
    if (this.slotState[index] === SLOT_HELD && this.slotSeq[index] === seq) {
      this.counters.duplicates++;
      return 'duplicate';
    }
    this.slots[index] = packet;
    this.slotSeq[index] = seq;
    this.slotState[index] = SLOT_HELD;
    this.held++;
    if (seqDelta(seq, this.highestSeq) > 0 || this.held === 1) this.highestSeq = seq;
    this.counters.accepted++;
    this.acceptedSinceSwitch++;
    if (this.mode === 'waiting') this.beginBuffering(arrivalMs);
    return 'accepted';
  }

  /** Yields what to play for the tick at `nowMs`. See JitterBufferOutput. */
  pop(nowMs: number): JitterBufferOutput {
    if (this.mode === 'idle' || this.mode === 'waiting') return EMPTY;
    if (this.mode === 'buffering') {
      if (nowMs - this.bufferStartMs < this.currentDepthMs) return EMPTY;
      this.mode = 'playing';
      if (this.hasPlayed) this.noteGapBeforeResume();
    }
    if (this.pendingLostCount > 0) {
      const result: JitterBufferOutput = {
        kind: 'lost',
        seq: this.pendingLostSeq,
        count: this.pendingLostCount,
        conceal: false,
      };
      this.counters.lost += this.pendingLostCount;
      this.pendingLostCount = 0;
      return result;
    }
    if (this.held === 0) {
      // Nothing ahead: we cannot tell loss from a pause in sending, so wait and re-buffer.
      this.mode = 'waiting';
      this.counters.underruns++;
      return EMPTY;
    }
    const seq = this.nextSeq;
    const index = seq & this.mask;
    this.hasPlayed = true;
    if (this.slotState[index] === SLOT_HELD && this.slotSeq[index] === seq) {
      const packet = this.slots[index]!;
      this.slots[index] = undefined;
      this.slotState[index] = SLOT_PLAYED;
      this.held--;
      this.nextSeq = seqAdd(seq, 1);
      this.consecutiveLost = 0;
      this.counters.played++;
      return { kind: 'packet', packet };
    }
    if (this.adaptive && this.currentDepthMs + this.ptimeMs <= this.targetDepthMs()) {
      // Growing the delay by one frame gives the missing packet one more tick to arrive.
      this.currentDepthMs += this.ptimeMs;
      return EMPTY;
    }
    this.slotSeq[index] = seq;
    this.slotState[index] = SLOT_FREE;
    this.nextSeq = seqAdd(seq, 1);
    const conceal = this.consecutiveLost < this.maxConcealFrames;
    this.consecutiveLost++;
    this.counters.lost++;
    if (conceal) this.counters.concealed++;
    return { kind: 'lost', seq, count: 1, conceal };
  }

  /** Forgets the stream entirely; the next packet starts a new one. Counters are kept. */
  reset(): void {
    this.clearSlots();
    this.mode = 'idle';
    this.ssrc = -1;
    this.previousSsrc = -1;
  }

  private startStream(ssrc: number, seq: number, arrivalMs: number): void {
    this.clearSlots();
    this.ssrc = ssrc;
    this.nextSeq = seq;
    this.highestSeq = seq;
    this.hasPlayed = false;
    this.consecutiveLost = 0;
    this.badSeq = -1;
    this.pendingLostCount = 0;
    this.hasTransit = false;
    this.beginBuffering(arrivalMs);
  }

  private clearSlots(): void {
    this.slots.fill(undefined);
    this.slotSeq.fill(-1);
    this.slotState.fill(SLOT_FREE);
    this.held = 0;
  }

  private beginBuffering(arrivalMs: number): void {
    this.mode = 'buffering';
    this.bufferStartMs = arrivalMs;
    // Adaptive mode re-targets at each (re)start of playout: between talkspurts, where a change
    // of delay stretches or shortens silence instead of speech.
    if (this.adaptive) this.currentDepthMs = this.targetDepthMs();
  }

  private targetDepthMs(): number {
    const wantedMs = Math.ceil((this.jitterEstimateMs * JITTER_MULTIPLIER) / this.ptimeMs) * this.ptimeMs;
    return Math.min(this.maxDepthMs, Math.max(this.minDepthMs, wantedMs));
  }

  /** RFC 3550 §6.4.1 / A.8 interarrival jitter, kept in milliseconds. */
  private measureJitter(timestamp: number, arrivalMs: number): void {
    if (this.hasTransit) {
      const mediaMs = (timestampDelta(timestamp, this.lastTimestamp) * 1000) / this.clockRateHz;
      const d = Math.abs(arrivalMs - this.lastArrivalMs - mediaMs);
      this.jitterEstimateMs += (d - this.jitterEstimateMs) / 16;
    }
    this.hasTransit = true;
    this.lastArrivalMs = arrivalMs;
    this.lastTimestamp = timestamp;
  }

  private behindPlayout(seq: number): JitterPushResult {
    const index = seq & this.mask;
    if (this.slotState[index] === SLOT_PLAYED && this.slotSeq[index] === seq) {
      this.counters.duplicates++;
      return 'duplicate';
    }
    this.counters.late++;
    return 'late';
  }

  /** Handles a packet at least `capacity` sequence numbers away from the playout point. */
  private outOfWindow(seq: number, delta: number, arrivalMs: number): JitterPushResult | 'accepted' {
    if (delta > 0 && this.held === 0) {
      // Nothing is held, so jump ahead; the skipped numbers are reported as one lost range.
      if (this.hasPlayed) {
        this.pendingLostSeq = this.nextSeq;
        this.pendingLostCount = delta;
      }
      this.nextSeq = seq;
      this.highestSeq = seq;
      return 'accepted';
    }
    // RFC 3550 A.1: a large jump is believed only when the next packet follows it in sequence.
    if (seq === this.badSeq) {
      this.counters.resyncs++;
      this.startStream(this.ssrc, seq, arrivalMs);
      return 'accepted';
    }
    this.badSeq = seqAdd(seq, 1);
    if (delta > 0) {
      this.counters.dropped++;
      return 'dropped';
    }
    this.counters.late++;
    return 'late';
  }

  /** After an underrun, the numbers between the last played and the first held were lost. */
  private noteGapBeforeResume(): void {
    let gap = 0;
    while (gap < this.capacity) {
      const seq = seqAdd(this.nextSeq, gap);
      const index = seq & this.mask;
      if (this.slotState[index] === SLOT_HELD && this.slotSeq[index] === seq) break;
      gap++;
    }
    if (gap === 0 || gap === this.capacity) return;
    if (this.pendingLostCount === 0) this.pendingLostSeq = this.nextSeq;
    this.pendingLostCount += gap;
    this.nextSeq = seqAdd(this.nextSeq, gap);
  }
}
