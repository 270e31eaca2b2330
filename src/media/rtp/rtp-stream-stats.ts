import type { RtpPacket } from './rtp-packet.js';
import type { RtcpReportBlock, RtcpSenderReport } from './rtcp-packet.js';
import { ntpMiddle32 } from './ntp-time.js';
import { seqDelta, timestampDelta } from './sequence-math.js';

export interface RtpStreamStatsOptions {
  /** RTP clock rate, to turn arrival times into timestamp units. Default 8000. */
  readonly clockRateHz?: number;
  /**
   * RFC 3550 A.1 MIN_SEQUENTIAL: packets in sequence needed before a source counts. Default 1,
   * because signalling already tied this 5-tuple to one peer; the appendix uses 2.
   */
  readonly minSequential?: number;
}

// RFC 3550 A.1 constants.
const MAX_DROPOUT = 3000;
const MAX_MISORDER = 100;
const SEQ_MOD = 0x10000;
/** Window of recent sequence numbers remembered to tell duplicates from reordering. */
const SEEN_WINDOW = 1024;

/**
 * Reception statistics of one RTP stream, per RFC 3550 Appendix A: sequence validation and
 * extended highest sequence number (A.1), expected and lost (A.3), interarrival jitter (A.8).
 * A packet with a new SSRC restarts everything but the `ssrcChanges` count.
 */
export class RtpStreamStats {
  private readonly clockRateHz: number;
  private readonly minSequential: number;
  private ssrcValue = -1;
  private started = false;
  private probation = 0;
  private maxSeq = 0;
  private cycles = 0;
  private baseSeq = 0;
  private badSeq = SEQ_MOD + 1;
  private received = 0;
  private expectedPrior = 0;
  private receivedPrior = 0;
  /** Previous arrival in timestamp units and previous RTP timestamp, for A.8's transit difference. */
  private transit = 0;
  private lastTs = 0;
  private hasTransit = false;
  private jitterUnits = 0;
  private readonly seen = new Float64Array(SEEN_WINDOW).fill(-1);
  private lastSrMiddle = 0;
  private lastSrArrivalMs = 0;

  /** Every packet recorded, including duplicates and packets during probation. */
  packets = 0;
  /** Payload octets of those packets (what RFC 3550 SR octet counts measure). */
  bytes = 0;
  duplicates = 0;
  /** Packets that arrived after a higher sequence number (duplicates excluded). */
  outOfOrder = 0;
  /** Packets the jitter buffer dropped for arriving behind the playout point (see `recordLate`). */
  late = 0;
  ssrcChanges = 0;

  constructor(options: RtpStreamStatsOptions = {}) {
    this.clockRateHz = options.clockRateHz ?? 8000;
    this.minSequential = Math.max(1, options.minSequential ?? 1);
  }

  get ssrc(): number {
    return this.ssrcValue;
  }

  /** Sequence number cycles in the high 16 bits and the highest number seen in the low 16. */
  get extendedHighestSeq(): number {
    return (this.cycles + this.maxSeq) >>> 0;
  }

  get cycleCount(): number {
    return this.cycles / SEQ_MOD;
  }

  /** RFC 3550 A.3: packets expected from the base to the highest sequence number. */
  get expected(): number {
    return this.started && this.probation === 0 ? this.cycles + this.maxSeq - this.baseSeq + 1 : 0;
  }

  /** RFC 3550 A.3: expected − received; negative when duplicates outnumber losses. */
  get lost(): number {
    return this.expected - this.received;
  }

  /** RFC 3550 A.8 interarrival jitter in timestamp units. */
  get jitter(): number {
    return this.jitterUnits;
  }

  get jitterMs(): number {
    return (this.jitterUnits * 1000) / this.clockRateHz;
  }

  /** Records one received packet. `sizeBytes` defaults to the payload length. */
  record(packet: RtpPacket, arrivalMs: number, sizeBytes = packet.payload.length): void {
    if (packet.ssrc !== this.ssrcValue) this.restart(packet.ssrc);
    this.packets++;
    this.bytes += sizeBytes;
    this.updateJitter(packet.timestamp, arrivalMs);
    const seq = packet.sequenceNumber;
    if (!this.started) {
      this.started = true;
      this.initSeq(seq);
      this.maxSeq = (seq - 1) & 0xffff;
      this.probation = this.minSequential;
    }
    if (this.updateSeq(seq)) this.received++;
  }

  /** Counts a packet the jitter buffer found behind its playout point. */
  recordLate(): void {
    this.late++;
  }

  /** Remembers an SR from this source so the next report block carries LSR and DLSR. */
  recordSenderReport(sr: RtcpSenderReport, arrivalMs: number): void {
    this.lastSrMiddle = ntpMiddle32({ seconds: sr.ntpSeconds, fraction: sr.ntpFraction });
    this.lastSrArrivalMs = arrivalMs;
  }

  /**
   * A report block for an RR or SR about this source, per RFC 3550 §6.4.1 and A.3. Computing the
   * fraction lost starts a new reporting interval, so call this once per report sent.
   */
  reportBlock(nowMs: number): RtcpReportBlock {
    const expected = this.expected;
    const expectedInterval = expected - this.expectedPrior;
    this.expectedPrior = expected;
    const receivedInterval = this.received - this.receivedPrior;
    this.receivedPrior = this.received;
    const lostInterval = expectedInterval - receivedInterval;
    const fractionLost =
      expectedInterval === 0 || lostInterval <= 0 ? 0 : Math.floor((lostInterval * 256) / expectedInterval);
    // RFC 3550 §6.4.1: cumulative lost is clamped to the signed 24-bit field.
    const cumulativeLost = Math.max(-0x800000, Math.min(0x7fffff, this.lost));
    const hasSr = this.lastSrMiddle !== 0;
    return {
      ssrc: this.ssrcValue >>> 0,
      fractionLost: Math.min(255, fractionLost),
      cumulativeLost,
      extendedHighestSeq: this.extendedHighestSeq,
      jitter: Math.floor(this.jitterUnits) >>> 0,
      lastSr: this.lastSrMiddle,
      // DLSR is in units of 1/65536 seconds.
      delaySinceLastSr: hasSr
        ? Math.max(0, Math.round(((nowMs - this.lastSrArrivalMs) * 65536) / 1000)) >>> 0
        : 0,
    };
  }

  private restart(ssrc: number): void {
    if (this.ssrcValue !== -1) this.ssrcChanges++;
    this.ssrcValue = ssrc;
    this.started = false;
    this.packets = 0;
    this.bytes = 0;
    this.duplicates = 0;
    this.outOfOrder = 0;
    this.late = 0;
    this.received = 0;
    this.expectedPrior = 0;
    this.receivedPrior = 0;
    this.hasTransit = false;
    this.jitterUnits = 0;
    this.lastSrMiddle = 0;
    this.seen.fill(-1);
  }

  /** RFC 3550 A.1 init_seq. */
  private initSeq(seq: number): void {
    this.baseSeq = seq;
    this.maxSeq = seq;
    this.badSeq = SEQ_MOD + 1;
    this.cycles = 0;
    this.received = 0;
    this.receivedPrior = 0;
    this.expectedPrior = 0;
    this.seen.fill(-1);
  }

  /** RFC 3550 A.1 update_seq; returns whether the packet counts as received. */
  private updateSeq(seq: number): boolean {
    const udelta = (seq - this.maxSeq) & 0xffff;
    if (this.probation > 0) {
      // A.1: a source is valid only after MIN_SEQUENTIAL packets in sequence.
      if (seq === ((this.maxSeq + 1) & 0xffff)) {
        this.probation--;
        this.maxSeq = seq;
        if (this.probation === 0) {
          this.initSeq(seq);
          this.markSeen(seq);
          return true;
        }
      } else {
        this.probation = this.minSequential - 1;
        this.maxSeq = seq;
      }
      return false;
    }
    if (udelta === 0 || udelta > SEQ_MOD - MAX_MISORDER) {
      // A.1: duplicate or reordered packet; it still counts as received.
      if (this.wasSeen(seq)) this.duplicates++;
      else this.outOfOrder++;
    } else if (udelta < MAX_DROPOUT) {
      // A.1: in order, with permissible gap; a smaller number means the sequence wrapped.
      if (seq < this.maxSeq) this.cycles += SEQ_MOD;
      this.maxSeq = seq;
    } else {
      // A.1: a very large jump; believe it only if the next packet follows it.
      if (seq !== this.badSeq) {
        this.badSeq = (seq + 1) & 0xffff;
        return false;
      }
      this.initSeq(seq);
    }
    this.markSeen(seq);
    return true;
  }

  private extendedOf(seq: number): number {
    return this.cycles + this.maxSeq + seqDelta(seq, this.maxSeq);
  }

  private markSeen(seq: number): void {
    this.seen[seq % SEEN_WINDOW] = this.extendedOf(seq);
  }

  private wasSeen(seq: number): boolean {
    return this.seen[seq % SEEN_WINDOW] === this.extendedOf(seq);
  }

  /** RFC 3550 A.8, with arrival converted to timestamp units and wrap-safe differences. */
  private updateJitter(timestamp: number, arrivalMs: number): void {
    const arrivalUnits = (arrivalMs * this.clockRateHz) / 1000;
    if (this.hasTransit) {
      const d = arrivalUnits - this.transit - timestampDelta(timestamp, this.lastTs);
      this.jitterUnits += (Math.abs(d) - this.jitterUnits) / 16;
    }
    this.hasTransit = true;
    this.transit = arrivalUnits;
    this.lastTs = timestamp;
  }
}
