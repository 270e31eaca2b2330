// Shared by the session tests: a fake clock, a manual ticker, RTP packets with real G.711 bytes.
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Clock } from '../../../src/core/index.js';
import type { AudioFrame } from '../../../src/media/audio/index.js';
import type { SttEngine, SttEvent } from '../../../src/engines/spi/index.js';
import { EngineError } from '../../../src/engines/spi/index.js';
import { ScriptedStt } from '../../../src/engines/spi/testing/index.js';
import { generateTone } from '../../../src/media/audio/index.js';
import { g711Encode } from '../../../src/media/codecs/index.js';
import type { DtmfDigit, RtpPacket } from '../../../src/media/rtp/index.js';
import { dtmfEventFromDigit, encodeTelephoneEvent } from '../../../src/media/rtp/index.js';
import type { CallEvent, CallOptions, LegCodec, MediaLeg } from '../../../src/session/index.js';
import { Call, MediaTicker } from '../../../src/session/index.js';

/** The event members whose `type` can be T (TranscriptEvent has two types, so Extract misses it). */
export type EventOf<T, E = CallEvent> = E extends { type: infer U } ? (T extends U ? E : never) : never;

export const WALL_EPOCH_MS = 1_700_000_000_000;

export class TestClock implements Clock {
  now = 0;
  nowMs(): number {
    return this.now;
  }
  wallMs(): number {
    return WALL_EPOCH_MS + this.now;
  }
}

export const PCMU: LegCodec = {
  encoding: 'mulaw',
  payloadType: 0,
  ptimeMs: 20,
  telephoneEventPayloadType: 101,
};
export const PCMA: LegCodec = {
  encoding: 'alaw',
  payloadType: 8,
  ptimeMs: 20,
  telephoneEventPayloadType: 101,
};

export function rtpPacket(
  seq: number,
  payload: Uint8Array,
  options: { payloadType?: number; timestamp?: number; ssrc?: number; marker?: boolean } = {},
): RtpPacket {
  return {
    marker: options.marker ?? false,
    payloadType: options.payloadType ?? 0,
    sequenceNumber: seq & 0xffff,
    timestamp: (options.timestamp ?? seq * 160) >>> 0,
    ssrc: options.ssrc ?? 0x11223344,
    csrcs: [],
    extension: null,
    payload,
    padding: null,
  };
}

/** G.711 of a tone (or of silence with frequencyHz 0), split in 20 ms payloads of 160 bytes. */
export function g711Payloads(
  encoding: 'mulaw' | 'alaw',
  frequencyHz: number,
  durationMs: number,
  phaseSamples = 0,
): Uint8Array[] {
  const pcm =
    frequencyHz === 0
      ? new Int16Array((durationMs * 8000) / 1000)
      : generateTone({ frequencyHz, sampleRateHz: 8000, durationMs: durationMs + phaseSamples / 8 }).subarray(
          phaseSamples,
        );
  const coded = g711Encode(encoding, pcm);
  const out: Uint8Array[] = [];
  for (let at = 0; at + 160 <= coded.length; at += 160) out.push(coded.slice(at, at + 160));
  return out;
}

/** RFC 4733 packets of one digit: start, one update, three end packets (§2.5.1.4). */
export function dtmfPackets(digit: DtmfDigit, firstSeq: number, timestamp: number): RtpPacket[] {
  const event = dtmfEventFromDigit(digit);
  const body = (durationSamples: number, end: boolean): Uint8Array =>
    encodeTelephoneEvent({ event, end, volume: 10, durationSamples });
  return [
    rtpPacket(firstSeq, body(160, false), { payloadType: 101, timestamp, marker: true }),
    rtpPacket(firstSeq + 1, body(320, false), { payloadType: 101, timestamp }),
    rtpPacket(firstSeq + 2, body(800, true), { payloadType: 101, timestamp }),
    rtpPacket(firstSeq + 3, body(800, true), { payloadType: 101, timestamp }),
    rtpPacket(firstSeq + 4, body(800, true), { payloadType: 101, timestamp }),
  ];
}

/** A call on a fake clock and a manual ticker, with every event recorded. */
/**
 * An engine whose n-th stream throws ENGINE_FAILED (`retryable` as given) when it takes its
 * `lives[n]`-th frame; streams beyond the list never fail. `streams` counts the streams opened.
 */
export function failingStt(options: {
  readonly name: string;
  readonly message: string;
  readonly lives: readonly number[];
  readonly retryable?: boolean;
}): SttEngine & { readonly streams: number } {
  let streams = 0;
  return {
    name: options.name,
    capabilities: new ScriptedStt({ utterances: [] }).capabilities,
    get streams() {
      return streams;
    },
    async *transcribe(frames: AsyncIterable<AudioFrame>): AsyncGenerator<SttEvent> {
      const life = options.lives[streams++] ?? Infinity;
      yield { type: 'started' };
      let n = 0;
      for await (const _ of frames) {
        if (++n === life) {
          throw new EngineError(options.name, 'ENGINE_FAILED', options.message, {
            retryable: options.retryable === true,
          });
        }
      }
    },
    close: () => Promise.resolve(),
  };
}

export class SessionRig {
  readonly clock = new TestClock();
  readonly ticker = new MediaTicker({ clock: this.clock, manual: true });
  readonly events: CallEvent[] = [];
  readonly call: Call;
  private seq = new Map<MediaLeg, number>();

  constructor(
    options: Omit<CallOptions, 'clock' | 'ticker' | 'sipCallId' | 'kind'> & { kind?: 'sip' | 'siprec' } = {},
  ) {
    this.call = new Call({
      sipCallId: 'a84b4c76e66710@pc33.example.com',
      kind: 'sip',
      ...options,
      clock: this.clock,
      ticker: this.ticker,
    });
    this.call.on('event', (event) => this.events.push(event));
  }

  /** Moves the fake clock, ticking every 20 ms, and lets the recognizer run after each tick. */
  async advance(ms: number): Promise<void> {
    for (let left = ms; left > 0; left -= 20) {
      this.clock.now += Math.min(20, left);
      this.ticker.tick();
      await nextTurn();
    }
  }

  /** Sends one payload per 20 ms into `leg` (arrival = the fake clock), advancing time after each. */
  async stream(leg: MediaLeg, payloads: readonly Uint8Array[], payloadType = 0): Promise<void> {
    for (const payload of payloads) {
      const seq = this.seq.get(leg) ?? 1000;
      this.seq.set(leg, seq + 1);
      leg.pushRtp(rtpPacket(seq, payload, { payloadType }), this.clock.now);
      await this.advance(20);
    }
  }

  /** Skips sequence numbers as if `count` packets had been lost on the way (time still passes). */
  async lose(leg: MediaLeg, count: number): Promise<void> {
    this.seq.set(leg, (this.seq.get(leg) ?? 1000) + count);
    await this.advance(20 * count);
  }

  of<T extends CallEvent['type']>(type: T): EventOf<T>[] {
    return this.events.filter((e): e is EventOf<T> => e.type === type);
  }
}
