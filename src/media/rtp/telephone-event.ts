/*
 * RFC 4733 §2.3 telephone-event payload:
 *
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |     event     |E|R| volume    |          duration             |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 */
import { InvalidArgumentError, ParseError } from '../../core/index.js';

export const TELEPHONE_EVENT_BYTES = 4;

/** RFC 4733 §3.2 DTMF events 0..15 and flash (16). */
export type DtmfDigit =
  '0' | '1' | '2' | '3' | '4' | '5' | '6' | '7' | '8' | '9' | '*' | '#' | 'A' | 'B' | 'C' | 'D' | 'flash';

const DIGITS: readonly DtmfDigit[] = [
  '0',
  '1',
  '2',
  '3',
  '4',
  '5',
  '6',
  '7',
  '8',
  '9',
  '*',
  '#',
  'A',
  'B',
  'C',
  'D',
  'flash',
];

export interface TelephoneEvent {
  /** Event code 0..255; 0..16 are the DTMF events of RFC 4733 §3.2. */
  readonly event: number;
  /** E bit: this packet reports the end of the event. */
  readonly end: boolean;
  /** Power level 0..63 expressed in -dBm0 (0 is loudest). */
  readonly volume: number;
  /** Duration so far, in RTP timestamp units from the event's timestamp. */
  readonly durationSamples: number;
}

/** The digit for an event code, or null for events that are not DTMF. */
export function dtmfDigitFromEvent(event: number): DtmfDigit | null {
  return DIGITS[event] ?? null;
}

/** The event code for a digit (RFC 4733 §3.2, Table 7). */
export function dtmfEventFromDigit(digit: DtmfDigit): number {
  const code = DIGITS.indexOf(digit);
  if (code < 0) throw new InvalidArgumentError(`${String(digit)} is not a DTMF digit`);
  return code;
}

/**
 * Decodes the first event block of a telephone-event payload. Multiple-event packets (RFC 4733
 * §2.5.1.5) use RFC 2198 redundancy headers, which the caller strips; extra bytes are ignored.
 */
export function decodeTelephoneEvent(payload: Uint8Array): TelephoneEvent {
  if (payload.length < TELEPHONE_EVENT_BYTES) {
    throw new ParseError(
      `telephone-event payload of ${payload.length} bytes is shorter than 4`,
      payload.length,
    );
  }
  const b1 = payload[1]!;
  // RFC 4733 §2.3: the R bit is reserved; receivers ignore it.
  return {
    event: payload[0]!,
    end: (b1 & 0x80) !== 0,
    volume: b1 & 0x3f,
    durationSamples: (payload[2]! << 8) | payload[3]!,
  };
}

/** Writes the 4-byte payload into `out` at `offset`. */
export function encodeTelephoneEventInto(event: TelephoneEvent, out: Uint8Array, offset: number): void {
  const checks: [number, number, string][] = [
    [event.event, 0xff, 'event code'],
    [event.volume, 0x3f, 'volume'],
    [event.durationSamples, 0xffff, 'duration'],
  ];
  for (const [value, max, name] of checks) {
    if (!Number.isInteger(value) || value < 0 || value > max) {
      throw new InvalidArgumentError(`telephone-event ${name} ${value} is outside 0..${max}`);
    }
  }
  if (offset < 0 || offset + TELEPHONE_EVENT_BYTES > out.length) {
    throw new InvalidArgumentError('telephone-event does not fit in the output buffer');
  }
  out[offset] = event.event;
  out[offset + 1] = (event.end ? 0x80 : 0) | event.volume;
  out[offset + 2] = event.durationSamples >>> 8;
  out[offset + 3] = event.durationSamples & 0xff;
}

export function encodeTelephoneEvent(event: TelephoneEvent): Uint8Array {
  const out = new Uint8Array(TELEPHONE_EVENT_BYTES);
  encodeTelephoneEventInto(event, out, 0);
  return out;
}
