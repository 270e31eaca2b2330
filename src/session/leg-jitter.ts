import type {
  JitterBufferOutput,
  JitterBufferStats,
  JitterPushResult,
  RtpPacket,
} from '../media/rtp/index.js';
import { EMPTY_JITTER_STATS, JitterBuffer } from '../media/rtp/index.js';

/** Playout delay: 60 ms, or two packets when packets are longer than 30 ms. */
export function jitterDepthMs(ptimeMs: number): number {
  return Math.max(60, 2 * ptimeMs);
}

/**
 * The leg's jitter buffer across codec changes. A JitterBuffer's ptime is fixed at construction,
 * so a re-INVITE to another ptime replaces it; the counters of the buffers replaced are kept, so
 * the leg's statistics cover the whole call.
 */
export class LegJitter {
  private buffer: JitterBuffer;
  private retired: JitterBufferStats = EMPTY_JITTER_STATS;

  constructor(ptimeMs: number) {
    this.buffer = LegJitter.create(ptimeMs);
  }

  private static create(ptimeMs: number): JitterBuffer {
    return new JitterBuffer({ clockRateHz: 8000, ptimeMs, depthMs: jitterDepthMs(ptimeMs) });
  }

  get depthMs(): number {
    return this.buffer.depthMs;
  }

  get jitterMs(): number {
    return this.buffer.jitterMs;
  }

  push(packet: RtpPacket, arrivalMs: number): JitterPushResult {
    return this.buffer.push(packet, arrivalMs);
  }

  pop(nowMs: number): JitterBufferOutput {
    return this.buffer.pop(nowMs);
  }

  /** Drops what is held; the next packet starts a new stream (no loss is counted for the gap). */
  reset(): void {
    this.buffer.reset();
  }

  /** A buffer for another ptime; held packets are dropped (they were encoded for the old codec). */
  replace(ptimeMs: number): void {
    this.retired = sum(this.retired, this.buffer.stats);
    this.buffer = LegJitter.create(ptimeMs);
  }

  get stats(): JitterBufferStats {
    return sum(this.retired, this.buffer.stats);
  }
}

function sum(a: JitterBufferStats, b: JitterBufferStats): JitterBufferStats {
  return {
    accepted: a.accepted + b.accepted,
    played: a.played + b.played,
    lost: a.lost + b.lost,
    concealed: a.concealed + b.concealed,
    late: a.late + b.late,
    duplicates: a.duplicates + b.duplicates,
    dropped: a.dropped + b.dropped,
    ssrcChanges: a.ssrcChanges + b.ssrcChanges,
    resyncs: a.resyncs + b.resyncs,
    underruns: a.underruns + b.underruns,
  };
}
