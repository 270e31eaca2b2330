/*
 * Typed views of the headers a user agent needs, RFC 3261 §20:
 *
 *   Call-ID        = ( "Call-ID" / "i" ) HCOLON callid      ; callid = word [ "@" word ]
 *   CSeq           = "CSeq" HCOLON 1*DIGIT LWS Method
 *   Max-Forwards   = "Max-Forwards" HCOLON 1*DIGIT
 *   Content-Length = ( "Content-Length" / "l" ) HCOLON 1*DIGIT
 *   Content-Type   = ( "Content-Type" / "c" ) HCOLON m-type SLASH m-subtype *(SEMI m-parameter)
 *   Expires        = "Expires" HCOLON delta-seconds
 *
 * Each `read*` function parses one value and throws ParseError at `base + index`; the `get*`
 * accessors apply them to a message (offsets then count from the start of the header value).
 */
import { ParseError } from '../../core/index.js';
import { headerKey, isListHeader } from './header-names.js';
import type { NameAddr } from './name-addr.js';
import { readNameAddr, readNameAddrList } from './name-addr.js';
import type { SipMessage } from './sip-message.js';
import type { SipParam } from './sip-syntax.js';
import { Cursor, isWsp, parseDecimal } from './sip-syntax.js';
import type { SipVia } from './via-header.js';
import { readViaList } from './via-header.js';

export interface SipCseq {
  readonly seq: number;
  readonly method: string;
}

export interface SipContentType {
  readonly type: string;
  readonly subtype: string;
  /** `type/subtype`, lower-case. */
  readonly mediaType: string;
  readonly params: readonly SipParam[];
}

/** A Contact value: `*` (RFC 3261 §10.2.2, remove all bindings) or an address. */
export type SipContact = NameAddr | '*';

const MAX_U32 = 0xffffffff;

export function readCallId(value: string, base = 0): string {
  // RFC 3261 §25.1: word characters are every visible ASCII except a few separators; we only
  // refuse what would break framing or comparisons: empty, whitespace, controls.
  if (value.length === 0) throw new ParseError('empty Call-ID', base);
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code <= 0x20 || code === 0x7f) {
      throw new ParseError('whitespace or control character in Call-ID', base + i);
    }
  }
  return value;
}

export function readCseq(value: string, base = 0, limit?: number): SipCseq {
  const cur = new Cursor(value, base, limit);
  const seq = parseDecimal(cur, 'CSeq number', MAX_U32);
  if (!isWsp(cur.peek())) cur.fail('expected whitespace after the CSeq number');
  cur.skipWs();
  const method = cur.token('a CSeq method');
  cur.end('CSeq');
  return { seq, method };
}

export function readUnsigned(value: string, what: string, max: number, base = 0, limit?: number): number {
  const cur = new Cursor(value, base, limit);
  const n = parseDecimal(cur, what, max);
  cur.end(what);
  return n;
}

export function readContentType(value: string, base = 0, limit?: number): SipContentType {
  const cur = new Cursor(value, base, limit);
  const type = cur.token('a media type');
  cur.expect('/', '"/" in the media type');
  cur.skipWs();
  const subtype = cur.token('a media subtype');
  const params = cur.params();
  cur.end('Content-Type');
  return { type, subtype, mediaType: `${type}/${subtype}`.toLowerCase(), params };
}

export function readNameAddrValue(value: string, base = 0, limit?: number): NameAddr {
  const cur = new Cursor(value, base, limit);
  const result = readNameAddr(cur, base, limit ?? Number.MAX_SAFE_INTEGER);
  cur.end('the address');
  return result;
}

export function readContacts(value: string, base = 0, limit?: number): SipContact[] {
  if (value === '*') return ['*'];
  return readNameAddrList(new Cursor(value, base, limit), base, limit ?? Number.MAX_SAFE_INTEGER);
}

export function readRoutes(value: string, base = 0, limit?: number): NameAddr[] {
  return readNameAddrList(new Cursor(value, base, limit), base, limit ?? Number.MAX_SAFE_INTEGER);
}

export function readVias(value: string, base = 0, limit?: number): SipVia[] {
  return readViaList(new Cursor(value, base, limit));
}

/** The first value of a header (any spelling, compact forms included), as written. */
export function getHeader(msg: SipMessage, name: string): string | undefined {
  const key = headerKey(name);
  return msg.headers.find((h) => headerKey(h.name) === key)?.value;
}

/**
 * Every value of a header across repeated lines; for list headers (Via, Contact, Route, Allow,
 * Supported, ...) each line is split at commas outside quoted strings and <...>.
 */
export function getHeaders(msg: SipMessage, name: string): string[] {
  const key = headerKey(name);
  const out: string[] = [];
  for (const h of msg.headers) {
    if (headerKey(h.name) !== key) continue;
    if (isListHeader(key)) out.push(...splitList(h.value));
    else out.push(h.value);
  }
  return out;
}

/** Splits a list value at commas that are outside quoted strings and angle brackets. */
export function splitList(value: string): string[] {
  const parts: string[] = [];
  let quoted = false;
  let angle = false;
  let start = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    if (quoted) {
      if (c === '\\') i++;
      else if (c === '"') quoted = false;
    } else if (c === '"') quoted = true;
    else if (c === '<') angle = true;
    else if (c === '>') angle = false;
    else if (c === ',' && !angle) {
      parts.push(value.slice(start, i).trim());
      start = i + 1;
    }
  }
  parts.push(value.slice(start).trim());
  return parts.filter((p) => p.length > 0);
}

function required(msg: SipMessage, name: string): string {
  const value = getHeader(msg, name);
  if (value === undefined) throw new ParseError(`missing ${name} header`, 0);
  return value;
}

export function getCallId(msg: SipMessage): string {
  return readCallId(required(msg, 'Call-ID'));
}

export function getCseq(msg: SipMessage): SipCseq {
  return readCseq(required(msg, 'CSeq'));
}

export function getFrom(msg: SipMessage): NameAddr {
  return readNameAddrValue(required(msg, 'From'));
}

export function getTo(msg: SipMessage): NameAddr {
  return readNameAddrValue(required(msg, 'To'));
}

/** Every Via in order, across lines: the topmost (this hop's) first. */
export function getVias(msg: SipMessage): SipVia[] {
  const key = headerKey('Via');
  return msg.headers.filter((h) => headerKey(h.name) === key).flatMap((h) => readVias(h.value));
}

export function getContacts(msg: SipMessage): SipContact[] {
  const key = headerKey('Contact');
  return msg.headers.filter((h) => headerKey(h.name) === key).flatMap((h) => readContacts(h.value));
}

/** Route or Record-Route entries in order. */
export function getRoutes(msg: SipMessage, name: 'Route' | 'Record-Route'): NameAddr[] {
  const key = headerKey(name);
  return msg.headers.filter((h) => headerKey(h.name) === key).flatMap((h) => readRoutes(h.value));
}

export function getContentLength(msg: SipMessage): number | undefined {
  const value = getHeader(msg, 'Content-Length');
  return value === undefined ? undefined : readUnsigned(value, 'Content-Length', SIP_MAX_BODY);
}

export function getContentType(msg: SipMessage): SipContentType | undefined {
  const value = getHeader(msg, 'Content-Type');
  return value === undefined ? undefined : readContentType(value);
}

export function getMaxForwards(msg: SipMessage): number | undefined {
  const value = getHeader(msg, 'Max-Forwards');
  return value === undefined ? undefined : readUnsigned(value, 'Max-Forwards', 255);
}

export function getExpires(msg: SipMessage): number | undefined {
  const value = getHeader(msg, 'Expires');
  return value === undefined ? undefined : readUnsigned(value, 'Expires', MAX_U32);
}

/** Content-Length can never exceed a whole message. */
const SIP_MAX_BODY = 65536;
