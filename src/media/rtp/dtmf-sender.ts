import { InvalidArgumentError } from '../../core/index.js';
import type { RtpPacket } from './rtp-packet.js';
import type { RtpPacketizer } from './rtp-packetizer.js';
import type { DtmfDigit } from './telephone-event.js';
import { dtmfEventFromDigit, encodeTelephoneEvent } from './telephone-event.js';

export interface DtmfSenderOptions {
  /** The negotiated telephone-event payload type (dynamic, e.g. 101). */
  readonly payloadType: number;
  /** Default 8000; must match the packetizer's clock. */
  readonly clockRateHz?: number;
  /** Tone power in -dBm0, 0..63. Default 10. */
  readonly volume?: number;
  /** Interval between updates and between end retransmissions. Default 50. */
  readonly updateIntervalMs?: number;
}

/** A packet and when to send it, in milliseconds after the digit starts. */
export interface ScheduledRtpPacket {
  readonly packet: RtpPacket;
  readonly sendAtMs: number;
}

/**
 * Sends DTMF as RFC 4733 events on the same RTP stream as the audio. One digit becomes: a first
 * packet with the marker bit, updates every `updateIntervalMs` whose duration covers the audio up
 * to the next update, and three end packets (E bit) with the final duration. All packets repeat
 * the event's start timestamp (RFC 4733 §2.5.1.1); each takes the next sequence number.
 */
export class DtmfSender {
  private readonly packetizer: RtpPacketizer;
  private readonly payloadType: number;
  private readonly clockRateHz: number;
  private readonly volume: number;
  private readonly updateIntervalMs: number;

  constructor(packetizer: RtpPacketizer, options: DtmfSenderOptions) {
    this.packetizer = packetizer;
    this.payloadType = options.payloadType;
    this.clockRateHz = options.clockRateHz ?? 8000;
    this.volume = options.volume ?? 10;
    this.updateIntervalMs = options.updateIntervalMs ?? 50;
    if (!(this.updateIntervalMs > 0)) throw new InvalidArgumentError('updateIntervalMs must be positive');
  }

  /**
   * Plans the packets for one digit and advances the packetizer's timestamp past it, so the audio
   * that follows starts a new talkspurt at the right time.
   */
  digit(digit: DtmfDigit, durationMs: number): ScheduledRtpPacket[] {
    const event = dtmfEventFromDigit(digit);
    const totalSamples = Math.round((durationMs * this.clockRateHz) / 1000);
    // RFC 4733 §2.5.2.3 would split longer events into segments; digits are never that long.
    if (!(totalSamples > 0) || totalSamples > 0xffff) {
      throw new InvalidArgumentError(`DTMF duration ${durationMs} ms is outside what one event can carry`);
    }
    const timestamp = this.packetizer.nextTimestamp;
    const intervalSamples = Math.round((this.updateIntervalMs * this.clockRateHz) / 1000);
    const out: ScheduledRtpPacket[] = [];
    const make = (durationSamples: number, end: boolean, marker: boolean): RtpPacket => {
      const payload = encodeTelephoneEvent({ event, end, volume: this.volume, durationSamples });
      return this.packetizer.packetizeAt(payload, this.payloadType, timestamp, marker);
    };
    for (let i = 0; i * intervalSamples < totalSamples; i++) {
      const durationSamples = Math.min((i + 1) * intervalSamples, totalSamples);
      out.push({ packet: make(durationSamples, false, i === 0), sendAtMs: i * this.updateIntervalMs });
    }
    // RFC 4733 §2.5.1.4: the final packet is sent three times, spaced like the updates.
    for (let r = 0; r < 3; r++) {
      out.push({ packet: make(totalSamples, true, false), sendAtMs: durationMs + r * this.updateIntervalMs });
    }
    this.packetizer.skip(totalSamples);
    return out;
  }
}
