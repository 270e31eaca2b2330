/*
 * DTMF carried in SIP INFO bodies (no RFC; de-facto formats):
 *
 *   application/dtmf-relay:   Signal=5\r\nDuration=160\r\n     (Cisco style, Duration in ms)
 *   application/dtmf:         5                                  (the digit alone)
 *
 * Some devices send the RFC 4733 event number instead of the character (10 = *, 11 = #,
 * 12..15 = A..D), which we accept too.
 */
import type { SipContentType } from '../message/index.js';

export interface DtmfInfo {
  readonly digit: string;
  /** 0 when the body does not say. */
  readonly durationMs: number;
}

const EVENT_DIGITS = '0123456789*#ABCD';
const MAX_BODY = 1024;
const MAX_DURATION_MS = 60_000;

function toDigit(text: string): string | undefined {
  const t = text.trim().toUpperCase();
  if (t.length === 1 && EVENT_DIGITS.includes(t)) return t;
  if (/^1[0-5]$/.test(t)) return EVENT_DIGITS[Number(t)];
  return undefined;
}

/** The digit an INFO body carries, or undefined when it is not a DTMF body we understand. */
export function parseDtmfInfo(type: SipContentType | undefined, body: Uint8Array): DtmfInfo | undefined {
  if (type === undefined || body.length > MAX_BODY) return undefined;
  const text = new TextDecoder().decode(body);
  if (type.mediaType === 'application/dtmf') {
    const digit = toDigit(text);
    return digit === undefined ? undefined : { digit, durationMs: 0 };
  }
  if (type.mediaType !== 'application/dtmf-relay') return undefined;
  let digit: string | undefined;
  let durationMs = 0;
  for (const line of text.split(/\r?\n/)) {
    const eq = line.indexOf('=');
    if (eq < 0) continue;
    const name = line.slice(0, eq).trim().toLowerCase();
    const value = line.slice(eq + 1).trim();
    if (name === 'signal') digit = toDigit(value);
    else if (name === 'duration' && /^[0-9]{1,6}$/.test(value))
      durationMs = Math.min(Number(value), MAX_DURATION_MS);
  }
  return digit === undefined ? undefined : { digit, durationMs };
}
