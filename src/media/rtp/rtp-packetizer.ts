import { randomBytes } from 'node:crypto';
import { InvalidArgumentError } from '../../core/index.js';
import type { RtpPacket } from './rtp-packet.js';

export interface RtpPacketizerOptions {
  readonly payloadType: number;
  /** Default 8000. */
  readonly clockRateHz?: number;
  /** Frame duration; sets how far the timestamp advances per packet. Default 20. */
  readonly ptimeMs?: number;
  /** Default: random (RFC 3550 §8.1). */
  readonly ssrc?: number;
  /** Default: random (RFC 3550 §5.1). */
  readonly initialSequenceNumber?: number;
  /** Default: random (RFC 3550 §5.1). */
  readonly initialTimestamp?: number;
  /** Source of random unsigned 32-bit values, injectable for tests. Default: node:crypto. */
  readonly randomUint32?: () => number;
}

export interface PacketizeOptions {
  /** Sets the marker bit (RFC 3551 §4.1: first packet after silence). */
  readonly startOfTalkspurt?: boolean;
  /** Samples this payload covers. Default: one frame (ptime × clock rate). */
  readonly samples?: number;
}

function cryptoUint32(): number {
  return randomBytes(4).readUInt32BE(0);
}

function checkUint(value: number, max: number, name: string): void {
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw new InvalidArgumentError(`${name} ${value} is outside 0..${max}`);
  }
}

/**
 * Numbers outgoing packets of one RTP stream: fixed SSRC, sequence number +1 per packet with wrap,
 * timestamp advancing by the samples each packet (or skipped silence) covers. The first packet
 * and the first packet after `skip` carry the marker bit, as does any packet the caller marks.
 */
export class RtpPacketizer {
  readonly ssrc: number;
  readonly payloadType: number;
  readonly samplesPerFrame: number;
  private seq: number;
  private ts: number;
  private talkspurtPending = true;

  constructor(options: RtpPacketizerOptions) {
    const random = options.randomUint32 ?? cryptoUint32;
    checkUint(options.payloadType, 0x7f, 'payload type');
    this.payloadType = options.payloadType;
    const clockRateHz = options.clockRateHz ?? 8000;
    const ptimeMs = options.ptimeMs ?? 20;
    this.samplesPerFrame = (clockRateHz * ptimeMs) / 1000;
    if (!Number.isInteger(this.samplesPerFrame) || this.samplesPerFrame <= 0) {
      throw new InvalidArgumentError(`${ptimeMs} ms at ${clockRateHz} Hz is not a whole number of samples`);
    }
    this.ssrc = options.ssrc ?? random() >>> 0;
    this.seq = options.initialSequenceNumber ?? random() & 0xffff;
    this.ts = options.initialTimestamp ?? random() >>> 0;
    checkUint(this.ssrc, 0xffffffff, 'SSRC');
    checkUint(this.seq, 0xffff, 'initial sequence number');
    checkUint(this.ts, 0xffffffff, 'initial timestamp');
  }

  /** Sequence number the next packet will carry. */
  get nextSequenceNumber(): number {
    return this.seq;
  }

  /** Timestamp the next audio packet will carry. */
  get nextTimestamp(): number {
    return this.ts;
  }

  /** Wraps one frame of encoded audio. The payload is referenced, not copied. */
  packetize(payload: Uint8Array, options: PacketizeOptions = {}): RtpPacket {
    const samples = options.samples ?? this.samplesPerFrame;
    checkUint(samples, 0xffffffff, 'samples');
    const packet = this.next(payload, this.payloadType, this.ts, options.startOfTalkspurt === true);
    this.ts = (this.ts + samples) >>> 0;
    return packet;
  }

  /**
   * Wraps a payload that carries its own timing, such as RFC 4733 events whose packets all repeat
   * the event's start timestamp. Takes the next sequence number; leaves the audio timestamp alone.
   */
  packetizeAt(payload: Uint8Array, payloadType: number, timestamp: number, marker: boolean): RtpPacket {
    checkUint(payloadType, 0x7f, 'payload type');
    checkUint(timestamp, 0xffffffff, 'timestamp');
    return this.next(payload, payloadType, timestamp, marker);
  }

  /**
   * Advances the timestamp over `samples` of media that were not sent (silence, or time covered
   * by DTMF events), so the receiver sees the real elapsed time (RFC 3550 §5.1). The next packet
   * starts a talkspurt.
   */
  skip(samples: number): void {
    checkUint(samples, 0xffffffff, 'samples');
    this.ts = (this.ts + samples) >>> 0;
    this.talkspurtPending = true;
  }

  private next(payload: Uint8Array, payloadType: number, timestamp: number, marker: boolean): RtpPacket {
    const packet: RtpPacket = {
      marker: marker || this.talkspurtPending,
      payloadType,
      sequenceNumber: this.seq,
      timestamp,
      ssrc: this.ssrc,
      csrcs: [],
      extension: null,
      payload,
      padding: null,
    };
    this.talkspurtPending = false;
    this.seq = (this.seq + 1) & 0xffff;
    return packet;
  }
}
