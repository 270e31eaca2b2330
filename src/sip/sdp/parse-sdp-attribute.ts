/*
 * Attribute grammar, RFC 4566 §9 with the attribute definitions of §6, RFC 3605 §2.1, RFC 4574
 * §4 and RFC 5888 §4:
 *
 *   attribute     = (att-field ":" att-value) / att-field
 *   att-field     = token
 *   att-value     = byte-string
 *
 *   rtpmap        = payload-type SP encoding-name "/" clock-rate [ "/" encoding-params ]
 *   fmtp          = format SP format-specific-params
 *   ptime         = 1*DIGIT [ "." 1*DIGIT ]          ; milliseconds
 *   maxptime      = 1*DIGIT [ "." 1*DIGIT ]
 *   rtcp          = port [ SP nettype SP addrtype SP connection-address ]
 *   label         = 1*byte-string char
 *   mid           = token
 *   sendrecv / sendonly / recvonly / inactive        ; property attributes, no value
 */
import { ParseError } from '../../core/index.js';
import type { SdpAttribute, SdpConnection, SdpDirection } from './sdp-session.js';
import { SDP_DIRECTIONS } from './sdp-session.js';

const TOKEN = /^[!#$%&'*+\-.0-9A-Z^_`a-z{|}~]+$/;
const RTPMAP = /^(\d{1,3}) +([^\s/]+)\/(\d{1,10})(?:\/(\S+))?$/;
const FMTP = /^(\S+)(?: +(.*))?$/;
const DECIMAL_MS = /^\d{1,6}(?:\.\d{1,6})?$/;
const RTCP = /^(\d{1,5})(?: +(\S+) +(\S+) +(\S+))?$/;

/** Quotes input for an error message, cut short so a hostile body cannot make a huge message. */
export function quoted(text: string): string {
  return JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}...` : text);
}

/** Byte offset of `text[index]` when `text` starts at byte offset `at`. */
export function byteOffsetIn(text: string, index: number, at: number): number {
  return at + Buffer.byteLength(text.slice(0, index), 'utf8');
}

function positiveMs(value: string, name: string, at: number): number {
  if (!DECIMAL_MS.test(value)) throw new ParseError(`a=${name} value ${quoted(value)} is not a number`, at);
  const ms = Number(value);
  if (ms <= 0) throw new ParseError(`a=${name} must be positive`, at);
  return ms;
}

/**
 * Parses a connection address as `c=` and `a=rtcp:` write it (RFC 4566 §5.7): for IP4
 * `address[/ttl[/count]]`, for IP6 `address[/count]`. `at` is the byte offset of `address`.
 */
export function parseConnectionAddress(
  netType: string,
  addrType: string,
  text: string,
  at: number,
): SdpConnection {
  const parts = text.split('/');
  const address = parts[0] ?? '';
  if (address === '') throw new ParseError('empty connection address', at);
  const numbers = parts.slice(1).map((p) => {
    if (!/^\d{1,10}$/.test(p))
      throw new ParseError(`connection address suffix ${quoted(p)} is not a number`, at);
    return Number(p);
  });
  // RFC 4566 §5.7: IPv4 multicast carries a TTL before the count; IPv6 has no TTL.
  const maxSuffixes = addrType === 'IP6' ? 1 : 2;
  if (numbers.length > maxSuffixes) throw new ParseError('too many "/" suffixes in connection address', at);
  const hasTtl = addrType !== 'IP6' && numbers.length >= 1;
  return {
    netType,
    addrType,
    address,
    ttl: hasTtl ? numbers[0]! : null,
    addressCount: hasTtl ? (numbers[1] ?? null) : (numbers[0] ?? null),
  };
}

/**
 * Parses the text after `a=` (trailing whitespace already removed). `at` is its byte offset in
 * the description, used for error offsets.
 */
export function parseSdpAttribute(text: string, at: number): SdpAttribute {
  const colon = text.indexOf(':');
  const name = colon < 0 ? text : text.slice(0, colon);
  const value = colon < 0 ? null : text.slice(colon + 1);
  if (!TOKEN.test(name)) throw new ParseError(`attribute name ${quoted(name)} is not a token`, at);
  const valueAt = byteOffsetIn(text, colon + 1, at);

  if ((SDP_DIRECTIONS as readonly string[]).includes(name)) {
    // RFC 3264 §5.1: the direction attributes are property attributes without a value.
    if (value !== null) throw new ParseError(`a=${name} takes no value`, valueAt);
    return { kind: 'direction', direction: name as SdpDirection };
  }
  if (value === null) return { kind: 'other', name, value: null };

  switch (name) {
    case 'rtpmap': {
      const m = RTPMAP.exec(value);
      if (!m) throw new ParseError(`a=rtpmap value ${quoted(value)} is malformed`, valueAt);
      const payloadType = Number(m[1]);
      const clockRateHz = Number(m[3]);
      if (payloadType > 127) throw new ParseError(`RTP payload type ${payloadType} exceeds 127`, valueAt);
      if (clockRateHz === 0 || clockRateHz > 0xffffffff) {
        throw new ParseError(`a=rtpmap clock rate ${m[3]} is out of range`, valueAt);
      }
      return {
        kind: 'rtpmap',
        payloadType,
        encodingName: m[2]!,
        clockRateHz,
        encodingParameters: m[4] ?? null,
      };
    }
    case 'fmtp': {
      const m = FMTP.exec(value);
      if (!m) throw new ParseError(`a=fmtp value ${quoted(value)} is malformed`, valueAt);
      return { kind: 'fmtp', format: m[1]!, parameters: m[2] ?? '' };
    }
    case 'ptime':
      return { kind: 'ptime', ptimeMs: positiveMs(value, name, valueAt) };
    case 'maxptime':
      return { kind: 'maxptime', maxptimeMs: positiveMs(value, name, valueAt) };
    case 'rtcp': {
      const m = RTCP.exec(value);
      if (!m) throw new ParseError(`a=rtcp value ${quoted(value)} is malformed`, valueAt);
      const port = Number(m[1]);
      if (port > 65535) throw new ParseError(`a=rtcp port ${port} exceeds 65535`, valueAt);
      const connection =
        m[2] === undefined
          ? null
          : parseConnectionAddress(
              m[2],
              m[3]!,
              m[4]!,
              byteOffsetIn(value, value.lastIndexOf(m[4]!), valueAt),
            );
      return { kind: 'rtcp', port, connection };
    }
    case 'label':
      if (value === '') throw new ParseError('a=label is empty', valueAt);
      return { kind: 'label', label: value };
    case 'mid':
      if (!TOKEN.test(value)) throw new ParseError(`a=mid value ${quoted(value)} is not a token`, valueAt);
      return { kind: 'mid', mid: value };
    default:
      return { kind: 'other', name, value };
  }
}
