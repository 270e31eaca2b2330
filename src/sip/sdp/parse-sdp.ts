/*
 * Session description grammar, RFC 4566 §5 and §9 (lines in this order; `*` = zero or more):
 *
 *   session-description = v=0
 *                         o=<username> <sess-id> <sess-version> <nettype> <addrtype> <address>
 *                         s=<session name>
 *                         [i=]  [u=]  *e=  *p=  [c=]  *b=
 *                         1*( t=<start> <stop>  *r= )
 *                         [z=]  [k=]  *a=
 *                         *media-description
 *   media-description   = m=<media> <port>[/<number of ports>] <proto> 1*(SP <fmt>)
 *                         [i=]  [c=]  *b=  [k=]  *a=
 *
 * Lines end in CRLF; LF alone is accepted too (RFC 4566 §5 asks parsers to), and trailing
 * whitespace is ignored. Within the session part we accept the optional lines in any order,
 * because deployed stacks do not all keep it; what we insist on is the structure that decides
 * meaning: `v=0` first, one `o=` and `s=`, `r=` only after `t=`, an attribute belongs to the `m=`
 * above it, and no type letter outside RFC 4566 (§5: a parser must reject a description with a
 * type letter it does not understand).
 *
 * Lenient where deployed senders need it (issue 10):
 * - No `t=` line at all is accepted (OpenSIPS' siprec module sends none); `timings` is then empty,
 *   and an answer to it gets `t=0 0`. RFC 4566 requires one, but it means nothing to telephony.
 * - A fault inside one media description (a malformed attribute, `b=` or `c=`, a line repeated
 *   that may appear once, an RTP format that is not a payload type number, or no `c=` at either
 *   level, §5.7) does not make the whole description invalid: the m-line gets a `defect` and is
 *   declined with port 0 in an answer (RFC 3264 §6), the other m-lines are answered. The RFC 4475
 *   INVITEs carry `a=rtpmap:31 LPC` (no clock rate) on a video m-line, for example.
 * Never lenient on size (MAX_SDP_BYTES), on the session part, on the m= line's structure (media,
 * port, proto, at least one format), or on type letters: those still throw ParseError.
 */
import { ParseError } from '../../core/index.js';
import { byteOffsetIn, parseConnectionAddress, parseSdpAttribute, quoted } from './parse-sdp-attribute.js';
import type {
  SdpAttribute,
  SdpBandwidth,
  SdpConnection,
  SdpMedia,
  SdpSession,
  SdpTiming,
} from './sdp-session.js';
import type { SdpOrigin } from './sdp-session.js';

/** A SIP body larger than this is not a session description we want to hold in memory. */
export const MAX_SDP_BYTES = 65536;

export interface ParseSdpOptions {
  /** Longest input accepted; default MAX_SDP_BYTES. */
  readonly maxBytes?: number;
}

interface Line {
  readonly type: string;
  readonly value: string;
  /** Byte offset of the type letter. */
  readonly at: number;
}

const SESSION_TYPES = 'osiuepcbtrzka';
const MEDIA_TYPES = 'icbka';
const ONCE_PER_SESSION = 'osiuczk';
const ONCE_PER_MEDIA = 'ick';
const NO_VALUE_LINES = new Set(['s']);
const decoder = new TextDecoder('utf-8');

function splitLines(bytes: Uint8Array): Line[] {
  const lines: Line[] = [];
  let blankAt = -1;
  let start = 0;
  while (start < bytes.length) {
    let end = bytes.indexOf(0x0a, start);
    const next = end < 0 ? bytes.length : end + 1;
    if (end < 0) end = bytes.length;
    let trimmed = end;
    // Trailing CR (of CRLF) and trailing whitespace carry no meaning.
    while (
      trimmed > start &&
      (bytes[trimmed - 1] === 0x0d || bytes[trimmed - 1] === 0x20 || bytes[trimmed - 1] === 0x09)
    ) {
      trimmed--;
    }
    for (let i = start; i < trimmed; i++) {
      const b = bytes[i]!;
      if (b === 0x00 || b === 0x0d) {
        throw new ParseError(b === 0 ? 'NUL byte in description' : 'bare CR inside a line', i);
      }
    }
    if (trimmed === start) {
      if (blankAt < 0) blankAt = start;
    } else {
      if (blankAt >= 0) throw new ParseError('empty line inside the description', blankAt);
      if (trimmed - start < 2 || bytes[start + 1] !== 0x3d) {
        throw new ParseError('expected a line of the form <type>=<value>', start);
      }
      const type = String.fromCharCode(bytes[start]!);
      if (!/^[a-z]$/.test(type)) throw new ParseError(`${quoted(type)} is not an SDP type letter`, start);
      lines.push({ type, value: decoder.decode(bytes.subarray(start + 2, trimmed)), at: start });
    }
    start = next;
  }
  return lines;
}

function fields(line: Line, count: number, what: string): string[] {
  const parts = line.value.split(/ +/);
  if (parts.length !== count || parts.some((p) => p === '')) {
    throw new ParseError(`${line.type}= line needs ${count} fields (${what})`, line.at + 2);
  }
  return parts;
}

function parseOrigin(line: Line): SdpOrigin {
  const [username, sessionId, sessionVersion, netType, addrType, address] = fields(
    line,
    6,
    'username sess-id sess-version nettype addrtype address',
  ) as [string, string, string, string, string, string];
  return { username, sessionId, sessionVersion, netType, addrType, address };
}

function parseConnection(line: Line): SdpConnection {
  const [netType, addrType, address] = fields(line, 3, 'nettype addrtype address') as [
    string,
    string,
    string,
  ];
  return parseConnectionAddress(
    netType,
    addrType,
    address,
    byteOffsetIn(line.value, line.value.lastIndexOf(address), line.at + 2),
  );
}

function parseBandwidth(line: Line): SdpBandwidth {
  const m = /^([^:\s]+):(\d{1,10})$/.exec(line.value);
  if (!m) throw new ParseError(`b= value ${quoted(line.value)} is not <bwtype>:<bandwidth>`, line.at + 2);
  return { type: m[1]!, value: Number(m[2]) };
}

// NTP seconds fit in 10 digits; 15 keeps every accepted value exact in a double.
function parseTiming(line: Line): SdpTiming & { repeats: string[] } {
  const m = /^(\d{1,15}) +(\d{1,15})$/.exec(line.value);
  if (!m) throw new ParseError(`t= value ${quoted(line.value)} is not <start-time> <stop-time>`, line.at + 2);
  return { startTime: Number(m[1]), stopTime: Number(m[2]), repeats: [] };
}

interface MediaDraft extends Omit<SdpMedia, 'bandwidths' | 'attributes' | 'defect'> {
  connection: SdpConnection | null;
  information: string | null;
  key: string | null;
  bandwidths: SdpBandwidth[];
  attributes: SdpAttribute[];
  /** Set (only) when a fault is found, so a usable m-line has no `defect` property at all. */
  defect?: string;
}

/** Records the first fault of an m-line; later ones add nothing a reader needs. */
function markDefect(media: MediaDraft, error: ParseError): void {
  media.defect ??= error.message;
}

/**
 * An attribute line that failed to parse, kept as written (`a=<text>`) so that the m-line still
 * reads as it came; only ever on a defective m-line.
 */
function rawAttribute(text: string): SdpAttribute {
  const colon = text.indexOf(':');
  return colon < 0
    ? { kind: 'other', name: text, value: null }
    : { kind: 'other', name: text.slice(0, colon), value: text.slice(colon + 1) };
}

function parseMediaLine(line: Line): MediaDraft {
  const parts = line.value.split(/ +/);
  if (parts.length < 4 || parts.some((p) => p === '')) {
    throw new ParseError('m= line needs <media> <port> <proto> and at least one format', line.at + 2);
  }
  const [media, portText, proto, ...formats] = parts as [string, string, string, ...string[]];
  const pm = /^(\d{1,5})(?:\/(\d{1,5}))?$/.exec(portText);
  const port = pm ? Number(pm[1]) : NaN;
  const portCount = pm?.[2] === undefined ? null : Number(pm[2]);
  if (!pm || port > 65535 || portCount === 0) {
    throw new ParseError(`m= port ${quoted(portText)} is not a port number`, line.at + 2 + media.length + 1);
  }
  const draft: MediaDraft = {
    media,
    port,
    portCount,
    proto,
    formats,
    information: null,
    connection: null,
    bandwidths: [],
    key: null,
    attributes: [],
  };
  // RFC 4566 §5.14: for RTP profiles the formats are RTP payload type numbers. One that is not
  // spoils this m-line only.
  if (/(^|\/)RTP\//.test(proto)) {
    const bad = formats.find((f) => !/^\d{1,3}$/.test(f) || Number(f) > 127);
    if (bad !== undefined) {
      markDefect(
        draft,
        new ParseError(
          `m= format ${quoted(bad)} is not an RTP payload type`,
          line.at + 2 + line.value.indexOf(bad),
        ),
      );
    }
  }
  return draft;
}

/** Attributes that may appear once per section, or once per format. */
function attributeKey(a: SdpAttribute): string | null {
  switch (a.kind) {
    case 'rtpmap':
      return `rtpmap ${a.payloadType}`;
    case 'fmtp':
      return `fmtp ${a.format}`;
    case 'other':
      return null;
    default:
      return a.kind;
  }
}

/** Parses an a= line, refusing a second one of a kind that may appear once per section. */
function parseAttributeOnce(line: Line, attributeKeys: Set<string>): SdpAttribute {
  const attribute = parseSdpAttribute(line.value, line.at + 2);
  const k = attributeKey(attribute);
  if (k !== null) {
    if (attributeKeys.has(k)) throw new ParseError(`duplicate a=${k} in a section`, line.at);
    attributeKeys.add(k);
  }
  return attribute;
}

/** One i=, c=, b=, k= or a= line of a media description. Throws ParseError for a faulty line. */
function mediaLine(current: MediaDraft, line: Line, seen: Set<string>, attributeKeys: Set<string>): void {
  if (line.value === '') throw new ParseError(`${line.type}= line has no value`, line.at + 2);
  if (ONCE_PER_MEDIA.includes(line.type)) {
    if (seen.has(line.type)) throw new ParseError(`more than one ${line.type}= line in a section`, line.at);
    seen.add(line.type);
  }
  switch (line.type) {
    case 'i':
      current.information = line.value;
      break;
    case 'c':
      current.connection = parseConnection(line);
      break;
    case 'b':
      current.bandwidths.push(parseBandwidth(line));
      break;
    case 'k':
      current.key = line.value;
      break;
    default:
      current.attributes.push(parseAttributeOnce(line, attributeKeys));
  }
}

/** Parses an SDP session description. Throws ParseError (with a byte offset) and nothing else. */
export function parseSdp(input: string | Uint8Array, options: ParseSdpOptions = {}): SdpSession {
  const maxBytes = options.maxBytes ?? MAX_SDP_BYTES;
  if (typeof input === 'string' && input.length > maxBytes) {
    throw new ParseError(`description longer than ${maxBytes} bytes`, maxBytes);
  }
  const bytes = typeof input === 'string' ? Buffer.from(input, 'utf8') : input;
  if (bytes.length > maxBytes) throw new ParseError(`description longer than ${maxBytes} bytes`, maxBytes);
  const lines = splitLines(bytes);
  const first = lines[0];
  if (!first) throw new ParseError('empty session description', 0);
  if (first.type !== 'v' || first.value !== '0') {
    throw new ParseError('a session description starts with v=0', first.at);
  }

  let origin: SdpOrigin | null = null;
  let sessionName: string | null = null;
  let information: string | null = null;
  let uri: string | null = null;
  let connection: SdpConnection | null = null;
  let timeZones: string | null = null;
  let key: string | null = null;
  const emails: string[] = [];
  const phones: string[] = [];
  const bandwidths: SdpBandwidth[] = [];
  const timings: (SdpTiming & { repeats: string[] })[] = [];
  const attributes: SdpAttribute[] = [];
  const media: MediaDraft[] = [];
  /** Byte offset of each m= line, for faults found once the whole description is read. */
  const mediaAt: number[] = [];
  let seen = new Set<string>();
  let attributeKeys = new Set<string>();
  let previousType = 'v';

  for (const line of lines.slice(1)) {
    const current = media[media.length - 1];
    const valueAt = line.at + 2;
    if (line.type === 'm') {
      if (line.value === '') throw new ParseError('m= line has no value', valueAt);
      media.push(parseMediaLine(line));
      mediaAt.push(line.at);
      seen = new Set();
      attributeKeys = new Set();
      previousType = 'm';
      continue;
    }
    const allowed = current ? MEDIA_TYPES : SESSION_TYPES;
    if (current && allowed.includes(line.type)) {
      // A fault here concerns this m-line alone: it is declined, the others stay usable.
      try {
        mediaLine(current, line, seen, attributeKeys);
      } catch (error) {
        if (!(error instanceof ParseError)) throw error;
        markDefect(current, error);
        if (line.type === 'a') current.attributes.push(rawAttribute(line.value));
      }
      previousType = line.type;
      continue;
    }
    if (line.value === '' && !NO_VALUE_LINES.has(line.type)) {
      throw new ParseError(`${line.type}= line has no value`, valueAt);
    }
    if (!allowed.includes(line.type)) {
      throw new ParseError(
        SESSION_TYPES.includes(line.type) || line.type === 'v'
          ? `${line.type}= is not allowed ${current ? 'in a media description' : 'here'}`
          : `unknown SDP type letter "${line.type}"`,
        line.at,
      );
    }
    if (ONCE_PER_SESSION.includes(line.type)) {
      if (seen.has(line.type)) throw new ParseError(`more than one ${line.type}= line in a section`, line.at);
      seen.add(line.type);
    }
    switch (line.type) {
      case 'o':
        origin = parseOrigin(line);
        break;
      case 's':
        sessionName = line.value;
        break;
      case 'i':
        information = line.value;
        break;
      case 'u':
        uri = line.value;
        break;
      case 'e':
        emails.push(line.value);
        break;
      case 'p':
        phones.push(line.value);
        break;
      case 'c':
        connection = parseConnection(line);
        break;
      case 'b':
        bandwidths.push(parseBandwidth(line));
        break;
      case 't':
        timings.push(parseTiming(line));
        break;
      case 'r':
        // RFC 4566 §5.10: repeat times belong to the t= line just above them.
        if (previousType !== 't' && previousType !== 'r') throw new ParseError('r= must follow t=', line.at);
        timings[timings.length - 1]!.repeats.push(line.value);
        break;
      case 'z':
        timeZones = line.value;
        break;
      case 'k':
        key = line.value;
        break;
      default:
        attributes.push(parseAttributeOnce(line, attributeKeys));
    }
    previousType = line.type;
  }

  const end = bytes.length;
  if (!origin) throw new ParseError('missing o= line', end);
  if (sessionName === null) throw new ParseError('missing s= line', end);
  // RFC 4566 §5.9 requires a t= line; OpenSIPS' siprec module sends none, and telephony gives the
  // times no meaning (RFC 3264 §5: "t=0 0"), so its absence is accepted (timings stay empty).
  // RFC 4566 §5.7: a c= at session level or in the media description. An active m-line with
  // neither cannot be answered, but it spoils only itself (OpenSIPS writes c= per m-line only).
  if (!connection) {
    media.forEach((m, i) => {
      if (!m.connection && m.port !== 0) {
        const at = mediaAt[i] ?? end;
        markDefect(m, new ParseError('no c= line at session level or in this media description', at));
      }
    });
  }
  return {
    version: 0,
    origin,
    sessionName,
    information,
    uri,
    emails,
    phones,
    connection,
    bandwidths,
    timings,
    timeZones,
    key,
    attributes,
    media,
  };
}
