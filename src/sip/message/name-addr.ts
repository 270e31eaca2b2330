/*
 * From, To, Contact, Route and Record-Route values, RFC 3261 §20.10, §20.20, §20.39, §25.1:
 *
 *   ( name-addr / addr-spec ) *( SEMI param )
 *   name-addr    = [ display-name ] LAQUOT addr-spec RAQUOT
 *   display-name = *(token LWS) / quoted-string
 *   addr-spec    = SIP-URI / SIPS-URI / absoluteURI
 *   Contact      = ( "m" / "Contact" ) HCOLON ( STAR / (contact-param *(COMMA contact-param)) )
 */
import type { Cursor, SipParam } from './sip-syntax.js';
import { isToken, isTokenChar, isWsp, quoteString, serializeParams } from './sip-syntax.js';
import type { AbsoluteUri, SipUri } from './sip-uri.js';
import { parseUri, serializeUri } from './sip-uri.js';

export interface NameAddr {
  /** Display name with quotes and escapes removed; undefined when there is none. */
  readonly displayName?: string;
  readonly uri: SipUri | AbsoluteUri;
  /** Header parameters after the address (`;tag=`, `;expires=`, `;q=`), in order. */
  readonly params: readonly SipParam[];
  /** The `tag` parameter, when present. */
  readonly tag?: string;
}

/** Reads one name-addr or addr-spec with its parameters, leaving the cursor after them. */
export function readNameAddr(cur: Cursor, base: number, limit: number): NameAddr {
  cur.skipWs();
  let displayName: string | undefined;
  let uriText: string;
  let uriAt: number;
  if (cur.peek() === '"') {
    displayName = cur.quoted();
    cur.expect('<', '"<" after the display name');
    [uriText, uriAt] = readBracketed(cur);
  } else {
    const lt = findAngle(cur);
    if (lt >= 0) {
      // RFC 3261 §25.1: an unquoted display name is a run of tokens separated by LWS.
      const words = cur.text.slice(cur.pos, lt).trim();
      if (words.length > 0) {
        for (const word of words.split(/[ \t]+/)) if (!isToken(word)) cur.fail('display name is not tokens');
        displayName = words;
      }
      cur.pos = lt + 1;
      [uriText, uriAt] = readBracketed(cur);
    } else {
      // RFC 3261 §20: without <>, the URI ends at the first ";" or ","; a URI needing those
      // characters (or "?") must be a name-addr, so a "?" here is an error.
      uriAt = cur.pos;
      while (!cur.done && !';,'.includes(cur.peek()!) && !isWsp(cur.peek())) cur.pos++;
      uriText = cur.text.slice(uriAt, cur.pos);
      if (uriText.includes('?')) cur.fail('addr-spec with URI headers must be enclosed in <>', uriAt);
    }
  }
  if (uriText.length === 0) cur.fail('empty address', uriAt);
  const uri = parseUri(uriText, base + uriAt, limit);
  const params = cur.params();
  const tag = params.find((p) => p.name.toLowerCase() === 'tag')?.value;
  return {
    uri,
    params,
    ...(displayName !== undefined && { displayName }),
    ...(tag !== undefined && { tag }),
  };
}

/** Index of the "<" that starts the addr-spec of the current element, or -1 for an addr-spec. */
function findAngle(cur: Cursor): number {
  for (let i = cur.pos; i < cur.text.length; i++) {
    const c = cur.text[i]!;
    if (c === '<') return i;
    if (!isTokenChar(c) && !isWsp(c)) return -1;
  }
  return -1;
}

function readBracketed(cur: Cursor): [string, number] {
  const start = cur.pos;
  const close = cur.text.indexOf('>', start);
  if (close < 0) cur.fail('missing ">"', start - 1);
  cur.pos = close + 1;
  // RFC 3261 §25.1: LAQUOT and RAQUOT absorb LWS outside the brackets only (RFC 4475 §3.1.2.14).
  return [cur.text.slice(start, close), start];
}

/** Reads a comma-separated list of name-addr values (Contact, Route, Record-Route). */
export function readNameAddrList(cur: Cursor, base: number, limit: number): NameAddr[] {
  const list: NameAddr[] = [];
  for (;;) {
    list.push(readNameAddr(cur, base, limit));
    cur.skipWs();
    if (cur.done) return list;
    if (cur.peek() !== ',') cur.fail('expected "," or end of value');
    cur.pos++;
  }
}

/** Writes a name-addr in canonical form: always with <>, quoting the display name if needed. */
export function serializeNameAddr(value: NameAddr): string {
  let out = '';
  if (value.displayName !== undefined) {
    const bare = value.displayName.split(' ').every(isToken);
    out += `${bare ? value.displayName : quoteString(value.displayName)} `;
  }
  return `${out}<${serializeUri(value.uri)}>${serializeParams(value.params)}`;
}
