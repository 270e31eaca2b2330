import type { RtpPacket } from './rtp-packet.js';
import type { DtmfDigit } from './telephone-event.js';
import { decodeTelephoneEvent, dtmfDigitFromEvent } from './telephone-event.js';

/**
 * Digit events from one telephone-event stream. `timestamp` is the RTP timestamp that identifies
 * the event (RFC 4733 §2.5.1.1). `end` fires once per event: on the first end packet, when a new
 * event starts before the old one ended (`complete: false`), or after `endTimeoutMs` of silence.
 */
export type DtmfEvent =
  | { readonly kind: 'start'; readonly digit: DtmfDigit; readonly timestamp: number }
  | {
      readonly kind: 'update';
      readonly digit: DtmfDigit;
      readonly timestamp: number;
      readonly durationMs: number;
    }
  | {
      readonly kind: 'end';
      readonly digit: DtmfDigit;
      readonly timestamp: number;
      readonly durationMs: number;
      /** False when no end packet arrived (all lost, or the next event cut in). */
      readonly complete: boolean;
    };

export interface DtmfReceiverOptions {
  /** RTP clock rate of the telephone-event payload type. Default 8000. */
  readonly clockRateHz?: number;
  /** An open event with no packets for this long is ended. Default 300. */
  readonly endTimeoutMs?: number;
}

export interface DtmfReceiverStats {
  readonly digits: number;
  /** End packets that repeated an end already reported (RFC 4733 §2.5.1.4 retransmissions). */
  readonly repeatedEnds: number;
  readonly malformed: number;
  /** Events that are not DTMF (codes above 16). */
  readonly ignored: number;
}

const NONE: readonly DtmfEvent[] = Object.freeze([]);
/** Timestamps of recently ended events, to recognise their retransmitted end packets. */
const RECENT_ENDS = 4;

interface OpenEvent {
  digit: DtmfDigit;
  timestamp: number;
  durationSamples: number;
  lastPacketMs: number;
}

/** Turns RFC 4733 packets (already filtered by payload type) into digit start/update/end events. */
export class DtmfReceiver {
  private readonly clockRateHz: number;
  private readonly endTimeoutMs: number;
  private open: OpenEvent | null = null;
  private readonly recentEnds: number[] = [];
  private readonly counters = { digits: 0, repeatedEnds: 0, malformed: 0, ignored: 0 };

  constructor(options: DtmfReceiverOptions = {}) {
    this.clockRateHz = options.clockRateHz ?? 8000;
    this.endTimeoutMs = options.endTimeoutMs ?? 300;
  }

  get stats(): DtmfReceiverStats {
    return { ...this.counters };
  }

  /** Feeds one packet; returns the events it caused, in order (usually none or one). */
  push(packet: RtpPacket, arrivalMs: number): readonly DtmfEvent[] {
    if (packet.payload.length < 4) {
      this.counters.malformed++;
      return NONE;
    }
    const ev = decodeTelephoneEvent(packet.payload);
    const digit = dtmfDigitFromEvent(ev.event);
    if (digit === null) {
      this.counters.ignored++;
      return NONE;
    }
    const ts = packet.timestamp;
    const open = this.open;
    if (open !== null && open.timestamp === ts) {
      open.lastPacketMs = arrivalMs;
      if (ev.durationSamples <= open.durationSamples && !ev.end) return NONE;
      open.durationSamples = Math.max(open.durationSamples, ev.durationSamples);
      if (ev.end) return [this.close(true)];
      return [
        { kind: 'update', digit: open.digit, timestamp: ts, durationMs: this.toMs(open.durationSamples) },
      ];
    }
    if (this.recentEnds.includes(ts)) {
      // RFC 4733 §2.5.1.4: the end packet is sent three times; only the first one counts.
      if (ev.end) this.counters.repeatedEnds++;
      return NONE;
    }
    // A new timestamp is a new event (RFC 4733 §2.5.1.1), whether or not its first packet, which
    // carries the marker bit, survived.
    const events: DtmfEvent[] = [];
    if (open !== null) events.push(this.close(false));
    this.open = { digit, timestamp: ts, durationSamples: ev.durationSamples, lastPacketMs: arrivalMs };
    this.counters.digits++;
    events.push({ kind: 'start', digit, timestamp: ts });
    if (ev.end) events.push(this.close(true));
    return events;
  }

  /** Ends an event whose end packets never came. Call periodically, e.g. on each playout tick. */
  tick(nowMs: number): readonly DtmfEvent[] {
    if (this.open === null || nowMs - this.open.lastPacketMs < this.endTimeoutMs) return NONE;
    return [this.close(false)];
  }

  private close(complete: boolean): DtmfEvent {
    const open = this.open!;
    this.open = null;
    this.recentEnds.push(open.timestamp);
    if (this.recentEnds.length > RECENT_ENDS) this.recentEnds.shift();
    return {
      kind: 'end',
      digit: open.digit,
      timestamp: open.timestamp,
      durationMs: this.toMs(open.durationSamples),
      complete,
    };
  }

  private toMs(samples: number): number {
    return (samples * 1000) / this.clockRateHz;
  }
}
