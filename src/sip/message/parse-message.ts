/*
 * SIP message framing, RFC 3261 §7 and §25.1:
 *
 *   SIP-message    = Request / Response
 *   Request        = Request-Line *( message-header ) CRLF [ message-body ]
 *   Response       = Status-Line *( message-header ) CRLF [ message-body ]
 *   Request-Line   = Method SP Request-URI SP SIP-Version CRLF
 *   Status-Line    = SIP-Version SP Status-Code SP Reason-Phrase CRLF
 *   SIP-Version    = "SIP" "/" 1*DIGIT "." 1*DIGIT
 *   message-header = field-name HCOLON field-value CRLF     ; HCOLON = *( SP / HTAB ) ":" SWS
 *   (a line starting with SP or HTAB continues the previous header: LWS folding, §7.3.1)
 *
 * The core headers (Via, From, To, Call-ID, CSeq, Max-Forwards, Content-Length, Content-Type,
 * Expires, Contact, Route, Record-Route) are checked here, so a message that parses has typed
 * accessors that do not throw.
 */
import { ParseError } from '../../core/index.js';
import { headerKey, SINGLE_HEADERS } from './header-names.js';
import type { SipHeader, SipMessage } from './sip-message.js';
import { SIP_MAX_HEADER_LINE_BYTES, SIP_MAX_HEADER_LINES, SIP_MAX_MESSAGE_BYTES } from './sip-message.js';
import {
  readCallId,
  readContacts,
  readContentType,
  readCseq,
  readNameAddrValue,
  readRoutes,
  readUnsigned,
  readVias,
} from './sip-headers.js';
import { isToken } from './sip-syntax.js';
import { parseUri } from './sip-uri.js';

const CR = 0x0d;
const LF = 0x0a;
const utf8 = new TextDecoder('utf-8', { fatal: true });

interface RawHeader extends SipHeader {
  /** Byte offset of the value and of the end of the (possibly folded) header. */
  readonly at: number;
  readonly end: number;
}

/** Parses one SIP message from a datagram or a framed stream chunk. Throws only ParseError. */
export function parseMessage(bytes: Uint8Array): SipMessage {
  if (bytes.length > SIP_MAX_MESSAGE_BYTES) {
    throw new ParseError(`message larger than ${SIP_MAX_MESSAGE_BYTES} bytes`, SIP_MAX_MESSAGE_BYTES);
  }
  let pos = 0;
  // RFC 3261 §7.5: CRLFs before the start line are ignored (keep-alives, stream padding).
  while (bytes[pos] === CR && bytes[pos + 1] === LF) pos += 2;
  const startEnd = lineEnd(bytes, pos);
  const startLine = decode(bytes, pos, startEnd);
  const startAt = pos;
  pos = startEnd + 2;

  const headers: RawHeader[] = [];
  for (;;) {
    if (pos >= bytes.length) throw new ParseError('headers not terminated by an empty line', bytes.length);
    if (bytes[pos] === CR && bytes[pos + 1] === LF) {
      pos += 2;
      break;
    }
    if (headers.length >= SIP_MAX_HEADER_LINES) {
      throw new ParseError(`more than ${SIP_MAX_HEADER_LINES} header lines`, pos);
    }
    const header = readHeader(bytes, pos);
    headers.push(header);
    pos = header.end;
  }

  const base = startLine.startsWith('SIP/')
    ? parseStatusLine(startLine, startAt)
    : parseRequestLine(startLine, startAt);
  checkHeaders(headers, base.kind === 'request', bytes.length);

  let body = bytes.subarray(pos);
  const lengthHeader = headers.find((h) => headerKey(h.name) === 'content-length');
  if (lengthHeader) {
    const declared = readUnsigned(
      lengthHeader.value,
      'Content-Length',
      SIP_MAX_MESSAGE_BYTES,
      lengthHeader.at,
    );
    if (declared > body.length) {
      // RFC 3261 §18.3: a datagram shorter than its Content-Length is discarded (RFC 4475 §3.1.2.2).
      throw new ParseError(
        `Content-Length ${declared} exceeds the ${body.length} body bytes`,
        lengthHeader.at,
      );
    }
    // RFC 3261 §18.3: octets beyond Content-Length in a datagram are discarded.
    body = body.subarray(0, declared);
  }
  const plain = headers.map(({ name, value }) => ({ name, value }));
  return { ...base, headers: plain, body };
}

function lineEnd(bytes: Uint8Array, from: number): number {
  const limit = Math.min(bytes.length - 1, from + SIP_MAX_HEADER_LINE_BYTES);
  for (let i = from; i < limit; i++) {
    if (bytes[i] === CR && bytes[i + 1] === LF) return i;
    if (bytes[i] === CR || bytes[i] === LF) throw new ParseError('bare CR or LF in the header section', i);
  }
  if (limit === from + SIP_MAX_HEADER_LINE_BYTES) throw new ParseError('line too long', limit);
  throw new ParseError('line not terminated by CRLF', bytes.length);
}

function decode(bytes: Uint8Array, from: number, to: number): string {
  try {
    return utf8.decode(bytes.subarray(from, to));
  } catch {
    throw new ParseError('header text is not UTF-8', from);
  }
}

/** Reads one header with its continuation lines, starting at `start`. */
function readHeader(bytes: Uint8Array, start: number): RawHeader {
  if (bytes[start] === 0x20 || bytes[start] === 0x09) {
    throw new ParseError('continuation line without a header', start);
  }
  const pieces: string[] = [];
  let pos = start;
  for (;;) {
    const end = lineEnd(bytes, pos);
    pieces.push(decode(bytes, pos, end));
    pos = end + 2;
    if (pos - start > SIP_MAX_HEADER_LINE_BYTES) throw new ParseError('header too long', start);
    if (bytes[pos] !== 0x20 && bytes[pos] !== 0x09) break;
  }
  const first = pieces[0]!;
  const colon = first.indexOf(':');
  if (colon < 0) throw new ParseError('header line without ":"', start);
  const name = first.slice(0, colon).replace(/[ \t]+$/, '');
  if (!isToken(name)) throw new ParseError('header name is not a token', start);
  // RFC 3261 §7.3.1: a CRLF followed by whitespace is folding, equivalent to a single SP.
  pieces[0] = first.slice(colon + 1);
  const value = pieces
    .map((p) => p.replace(/^[ \t]+/, '').replace(/[ \t]+$/, ''))
    .filter((p) => p.length > 0)
    .join(' ');
  return { name, value, at: start + colon + 1, end: pos };
}

function parseRequestLine(line: string, at: number) {
  const parts = line.split(' ');
  // RFC 3261 §7.1: exactly one SP between the elements (RFC 4475 §3.1.2.8 to §3.1.2.10).
  if (parts.length !== 3)
    throw new ParseError('Request-Line is not "Method SP Request-URI SP SIP-Version"', at);
  const [method, uri, version] = parts as [string, string, string];
  if (!isToken(method)) throw new ParseError('method is not a token', at);
  checkVersion(version, at + method.length + uri.length + 2);
  parseUri(uri, at + method.length + 1, at + line.length);
  return { kind: 'request' as const, method, uri, version: version.toUpperCase() };
}

function parseStatusLine(line: string, at: number) {
  const sp = line.indexOf(' ');
  const version = sp < 0 ? line : line.slice(0, sp);
  checkVersion(version, at);
  const code = line.slice(sp + 1, sp + 4);
  const after = line[sp + 4];
  // RFC 3261 §25.1: Status-Code is exactly three digits (RFC 4475 §3.1.2.19).
  if (sp < 0 || !/^[1-6]\d\d$/.test(code) || (after !== undefined && after !== ' ')) {
    throw new ParseError('bad Status-Code', at + sp + 1);
  }
  const reason = line.slice(sp + 5);
  return { kind: 'response' as const, status: Number(code), reason, version: version.toUpperCase() };
}

function checkVersion(version: string, at: number): void {
  if (!/^SIP\/\d{1,3}\.\d{1,3}$/i.test(version)) throw new ParseError('bad SIP-Version', at);
}

function checkHeaders(headers: readonly RawHeader[], isRequest: boolean, limit: number): void {
  const seen = new Map<string, RawHeader>();
  for (const h of headers) {
    const key = headerKey(h.name);
    if (SINGLE_HEADERS.includes(key) && seen.has(key)) {
      throw new ParseError(`${h.name} appears more than once`, h.at);
    }
    seen.set(key, h);
    const end = Math.min(h.end, limit);
    switch (key) {
      case 'via':
        readVias(h.value, h.at, end);
        break;
      case 'from':
      case 'to':
        readNameAddrValue(h.value, h.at, end);
        break;
      case 'call-id':
        readCallId(h.value, h.at);
        break;
      case 'cseq':
        readCseq(h.value, h.at, end);
        break;
      case 'max-forwards':
        readUnsigned(h.value, 'Max-Forwards', 255, h.at, end);
        break;
      case 'expires':
        readUnsigned(h.value, 'Expires', 0xffffffff, h.at, end);
        break;
      case 'content-type':
        readContentType(h.value, h.at, end);
        break;
      case 'contact':
        readContacts(h.value, h.at, end);
        break;
      case 'route':
      case 'record-route':
        readRoutes(h.value, h.at, end);
        break;
    }
  }
  // RFC 3261 §8.1.1: every request carries these; responses copy them (§8.2.6.2).
  for (const name of ['Via', 'From', 'To', 'Call-ID', 'CSeq']) {
    if (!seen.has(headerKey(name))) {
      throw new ParseError(`missing ${name} header${isRequest ? '' : ' in response'}`, 0);
    }
  }
}
