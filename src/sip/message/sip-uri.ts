/*
 * SIP and SIPS URIs, RFC 3261 §19.1.1 and §25.1, and tel URIs (RFC 3966) in the same shape:
 *
 *   SIP-URI   = "sip:" [ userinfo ] hostport uri-parameters [ headers ]
 *   SIPS-URI  = "sips:" [ userinfo ] hostport uri-parameters [ headers ]
 *   userinfo  = ( user / telephone-subscriber ) [ ":" password ] "@"
 *   hostport  = host [ ":" port ]
 *   host      = hostname / IPv4address / "[" IPv6address "]"
 *   uri-parameters = *( ";" uri-parameter )      ; pname [ "=" pvalue ]
 *   headers   = "?" header *( "&" header )       ; hname "=" hvalue
 *   escaped   = "%" HEXDIG HEXDIG
 *
 *   telephone-uri = "tel:" telephone-subscriber *( ";" par )
 *
 * Every other scheme (absoluteURI in RFC 3261's grammar) is kept as opaque text.
 */
import { ParseError } from '../../core/index.js';
import type { SipParam } from './sip-syntax.js';

export interface SipUri {
  readonly scheme: 'sip' | 'sips' | 'tel';
  /** Unescaped user part; for tel: the telephone-subscriber number. */
  readonly user?: string;
  /** Unescaped password. */
  readonly password?: string;
  /** Hostname, IPv4 address, or IPv6 reference with its brackets. Empty for tel:. */
  readonly host: string;
  readonly port?: number;
  /** URI parameters, unescaped, in order (`;transport=tcp;lr`). */
  readonly params: readonly SipParam[];
  /** URI headers, unescaped, in order (`?Subject=x&Priority=urgent`). */
  readonly headers: readonly SipParam[];
}

/** A URI of a scheme we do not interpret (RFC 3261 absoluteURI), kept as its text. */
export interface AbsoluteUri {
  readonly scheme: string;
  readonly text: string;
}

export function isSipUri(uri: SipUri | AbsoluteUri): uri is SipUri {
  return 'host' in uri;
}

const ALPHANUM = /^[A-Za-z0-9]$/;
const MARK = "-_.!~*'()";
// RFC 3261 §25.1: the characters each component may carry without escaping.
const USER_SAFE = MARK + '&=+$,;?/';
const PASSWORD_SAFE = MARK + '&=+$,';
const PARAM_SAFE = MARK + '[]/:&+$';
const HEADER_SAFE = MARK + '[]/?:+$';

function fail(message: string, at: number, base: number, limit: number): never {
  throw new ParseError(message, Math.min(base + at, limit));
}

/**
 * Parses a URI. `base` is the byte offset of `text` in the message and `limit` the last offset a
 * ParseError may name; both only shape error offsets.
 */
export function parseUri(text: string, base = 0, limit = Number.MAX_SAFE_INTEGER): SipUri | AbsoluteUri {
  const colon = text.indexOf(':');
  const scheme = colon > 0 ? text.slice(0, colon) : '';
  if (!/^[A-Za-z][A-Za-z0-9+.-]*$/.test(scheme)) fail('URI without a valid scheme', 0, base, limit);
  const lower = scheme.toLowerCase();
  if (lower === 'sip' || lower === 'sips' || lower === 'tel') return parseSipUri(text, base, limit);
  const rest = text.slice(colon + 1);
  if (rest.length === 0 || /[\s<>"]/.test(rest)) fail('malformed absolute URI', colon + 1, base, limit);
  return { scheme, text };
}

/** Parses a sip:, sips: or tel: URI. */
export function parseSipUri(text: string, base = 0, limit = Number.MAX_SAFE_INTEGER): SipUri {
  const colon = text.indexOf(':');
  const scheme = text.slice(0, Math.max(colon, 0)).toLowerCase();
  if (scheme !== 'sip' && scheme !== 'sips' && scheme !== 'tel') {
    fail('not a sip:, sips: or tel: URI', 0, base, limit);
  }
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    // RFC 3261 §25.1: a URI has no whitespace or controls; anything else must be escaped.
    if (code <= 0x20 || code === 0x7f || text[i] === '<' || text[i] === '>' || text[i] === '"') {
      fail('character not allowed in a URI', i, base, limit);
    }
  }
  const decode = (s: string, at: number): string => unescape(s, base + at, limit);
  const start = colon + 1;
  if (scheme === 'tel') {
    const semi = indexOrEnd(text, ';', start);
    const number = text.slice(start, semi);
    if (number.length === 0) fail('tel: URI without a number', start, base, limit);
    return {
      scheme,
      user: decode(number, start),
      host: '',
      params: parseParams(text.slice(semi), semi, decode, base, limit),
      headers: [],
    };
  }
  const at = text.indexOf('@', start);
  let user: string | undefined;
  let password: string | undefined;
  let hostStart = start;
  if (at >= 0) {
    const userinfo = text.slice(start, at);
    const pw = userinfo.indexOf(':');
    user = decode(pw >= 0 ? userinfo.slice(0, pw) : userinfo, start);
    if (pw >= 0) password = decode(userinfo.slice(pw + 1), start + pw + 1);
    if (user.length === 0) fail('empty user part', start, base, limit);
    hostStart = at + 1;
  }
  let hostEnd: number;
  if (text[hostStart] === '[') {
    hostEnd = text.indexOf(']', hostStart);
    if (hostEnd < 0 || !/^\[[0-9A-Fa-f:.]+\]$/.test(text.slice(hostStart, hostEnd + 1))) {
      fail('malformed IPv6 reference', hostStart, base, limit);
    }
    hostEnd++;
  } else {
    hostEnd = hostStart;
    while (hostEnd < text.length && /[A-Za-z0-9.-]/.test(text[hostEnd]!)) hostEnd++;
  }
  const host = text.slice(hostStart, hostEnd);
  if (host.length === 0) fail('URI without a host', hostStart, base, limit);
  let pos = hostEnd;
  let port: number | undefined;
  if (text[pos] === ':') {
    const portEnd = indexOfAny(text, ';?', pos + 1);
    const digits = text.slice(pos + 1, portEnd);
    if (!/^\d{1,5}$/.test(digits) || Number(digits) > 65535) fail('bad port', pos + 1, base, limit);
    port = Number(digits);
    pos = portEnd;
  }
  if (pos < text.length && text[pos] !== ';' && text[pos] !== '?') {
    fail('unexpected character after host', pos, base, limit);
  }
  const q = text.indexOf('?', pos);
  const paramsEnd = q >= 0 ? q : text.length;
  const params = parseParams(text.slice(pos, paramsEnd), pos, decode, base, limit);
  const headers: SipParam[] = [];
  if (q >= 0) {
    let hpos = q + 1;
    for (const part of text.slice(q + 1).split('&')) {
      const eq = part.indexOf('=');
      if (eq <= 0) fail('URI header without a name or "="', hpos, base, limit);
      headers.push({
        name: decode(part.slice(0, eq), hpos),
        value: decode(part.slice(eq + 1), hpos + eq + 1),
      });
      hpos += part.length + 1;
    }
  }
  const uri: SipUri = { scheme, host, params, headers };
  return {
    ...uri,
    ...(user !== undefined && { user }),
    ...(password !== undefined && { password }),
    ...(port !== undefined && { port }),
  };
}

function parseParams(
  s: string,
  at: number,
  decode: (s: string, at: number) => string,
  base: number,
  limit: number,
): SipParam[] {
  const params: SipParam[] = [];
  if (s.length === 0) return params;
  let pos = at + 1;
  for (const part of s.slice(1).split(';')) {
    const eq = part.indexOf('=');
    const name = decode(eq >= 0 ? part.slice(0, eq) : part, pos);
    if (name.length === 0) fail('empty URI parameter name', pos, base, limit);
    params.push(eq >= 0 ? { name, value: decode(part.slice(eq + 1), pos + eq + 1) } : { name });
    pos += part.length + 1;
  }
  return params;
}

function indexOrEnd(s: string, c: string, from: number): number {
  const i = s.indexOf(c, from);
  return i < 0 ? s.length : i;
}

function indexOfAny(s: string, chars: string, from: number): number {
  let i = from;
  while (i < s.length && !chars.includes(s[i]!)) i++;
  return i;
}

/**
 * RFC 3261 §19.1.2: `%HH` stands for one octet. The octets are read as UTF-8 where they form
 * UTF-8 and as Latin-1 otherwise, so that any escape sequence decodes to some string.
 */
function unescape(s: string, base: number, limit: number): string {
  if (!s.includes('%')) return s;
  const bytes: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === '%') {
      const hex = s.slice(i + 1, i + 3);
      if (!/^[0-9A-Fa-f]{2}$/.test(hex))
        throw new ParseError('bad %-escape in URI', Math.min(base + i, limit));
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else {
      for (const b of new TextEncoder().encode(c)) bytes.push(b);
    }
  }
  const raw = Uint8Array.from(bytes);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(raw);
  } catch {
    return String.fromCharCode(...raw);
  }
}

function escape(s: string, safe: string): string {
  let out = '';
  for (const c of s) {
    if (ALPHANUM.test(c) || safe.includes(c)) out += c;
    else
      for (const b of new TextEncoder().encode(c)) out += `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** Writes a URI in canonical form: escapes only where RFC 3261 requires, upper-case hex. */
export function serializeUri(uri: SipUri | AbsoluteUri): string {
  if (!isSipUri(uri)) return uri.text;
  let out = `${uri.scheme}:`;
  if (uri.scheme === 'tel') {
    out += escape(uri.user ?? '', USER_SAFE.replace(/[;?]/g, ''));
  } else {
    if (uri.user !== undefined) {
      out += escape(uri.user, USER_SAFE);
      if (uri.password !== undefined) out += `:${escape(uri.password, PASSWORD_SAFE)}`;
      out += '@';
    }
    out += uri.host;
    if (uri.port !== undefined) out += `:${uri.port}`;
  }
  for (const p of uri.params) {
    out += `;${escape(p.name, PARAM_SAFE)}`;
    if (p.value !== undefined) out += `=${escape(p.value, PARAM_SAFE)}`;
  }
  uri.headers.forEach((h, i) => {
    out += `${i === 0 ? '?' : '&'}${escape(h.name, HEADER_SAFE)}=${escape(h.value ?? '', HEADER_SAFE)}`;
  });
  return out;
}
