import type { ParseError } from '../../core/index.js';
import { buildResponse } from './create-response.js';
import { headerKey } from './header-names.js';
import type { SipHeader, SipResponse } from './sip-message.js';
import { SIP_MAX_HEADER_LINES, SIP_MAX_MESSAGE_BYTES } from './sip-message.js';
import { isToken } from './sip-syntax.js';
import { warningHeader } from './warning-header.js';

export interface BadRequestOptions {
  /** To tag to add when the request's To has none; defaults to a fixed token. */
  readonly toTag?: string;
  /** The warn-agent of the Warning (RFC 3261 §20.43): our host[:port]; default `voxbridge`. */
  readonly warnAgent?: string;
}

const lenient = new TextDecoder('utf-8');

/**
 * Builds the 400 Bad Request for a request that `parseMessage` refused, when enough of it can be
 * salvaged to address a response (RFC 3261 §8.2.6.2: Via, From, To, Call-ID, CSeq); otherwise,
 * and for responses and ACKs (RFC 3261 §17.2.3, §8.2.6.1: never answered), returns undefined so
 * the transport drops the datagram. Header values are copied as written.
 */
export function badRequestFor(
  bytes: Uint8Array,
  error: ParseError,
  options: BadRequestOptions = {},
): SipResponse | undefined {
  const text = lenient.decode(bytes.subarray(0, SIP_MAX_MESSAGE_BYTES));
  const end = text.indexOf('\r\n\r\n');
  const lines = (end >= 0 ? text.slice(0, end) : text).split(/\r\n|\n/, SIP_MAX_HEADER_LINES + 1);
  while (lines[0] === '') lines.shift();
  const startLine = lines.shift() ?? '';
  const method = startLine.split(' ', 1)[0] ?? '';
  if (startLine.startsWith('SIP/') || !isToken(method) || method === 'ACK') return undefined;

  const headers: SipHeader[] = [];
  // Whether the header line being continued by a folded line is one we keep.
  let keeping = false;
  for (const line of lines) {
    if (line.startsWith(' ') || line.startsWith('\t')) {
      const last = headers[headers.length - 1];
      if (keeping && last)
        headers[headers.length - 1] = { name: last.name, value: `${last.value} ${line.trim()}` };
      continue;
    }
    const colon = line.indexOf(':');
    const name = line.slice(0, Math.max(colon, 0)).trim();
    keeping = colon > 0 && ['via', 'from', 'to', 'call-id', 'cseq'].includes(headerKey(name));
    if (keeping) headers.push({ name, value: line.slice(colon + 1).trim() });
  }
  const first = (key: string) => headers.find((h) => headerKey(h.name) === key)?.value;
  for (const key of ['via', 'from', 'to', 'call-id']) {
    const value = first(key);
    if (value === undefined || value.length === 0) return undefined;
  }
  // The CSeq must name a number and a method for the client to match the response (§17.1.3).
  const cseq = /^\d+[ \t]+(\S+)$/.exec(first('cseq') ?? '');
  if (!cseq || cseq[1] === 'ACK' || !isToken(cseq[1]!)) return undefined;
  // A value with a stray CR would let the bad request inject header lines into our response.
  if (headers.some((h) => /[\r\n]/.test(h.value))) return undefined;
  return buildResponse(headers, 400, 'Bad Request', {
    toTag: options.toTag ?? 'vb400',
    headers: [warningFor(text, error, options.warnAgent ?? 'voxbridge')],
  });
}

/**
 * RFC 3261 §20.43: a 400 says what failed: the header the parser stopped in (found from the
 * error's byte offset, which for header text is also its character offset, the head being
 * ASCII in practice) and the parser's reason.
 */
function warningFor(text: string, error: ParseError, agent: string): SipHeader {
  const reason = error.message.replace(/ \(at byte offset \d+\)$/, '');
  const header = headerAt(text, error.offset);
  const what = header === undefined ? reason : `the ${header} header could not be parsed: ${reason}`;
  return warningHeader(agent, what);
}

/** The name of the header whose line (or folded continuation) holds `offset`, if any. */
function headerAt(text: string, offset: number): string | undefined {
  const end = text.indexOf('\r\n\r\n');
  if (offset <= 0 || (end >= 0 && offset > end)) return undefined;
  let start = text.lastIndexOf('\n', offset - 1) + 1;
  // A folded line belongs to the header above it (RFC 3261 §7.3.1).
  while (start > 0 && (text[start] === ' ' || text[start] === '\t')) {
    start = text.lastIndexOf('\n', start - 2) + 1;
  }
  if (start === 0) return undefined;
  const colon = text.indexOf(':', start);
  const name = colon < 0 ? '' : text.slice(start, colon).trim();
  return isToken(name) ? name : undefined;
}
