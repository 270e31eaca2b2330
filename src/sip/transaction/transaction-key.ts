import { ParseError } from '../../core/index.js';
import type { SipRequest, SipResponse, SipVia } from '../message/index.js';
import { getCallId, getCseq, getFrom, getVias } from '../message/index.js';

/** RFC 3261 §8.1.1.7: branches of RFC 3261 elements start with this cookie. */
export const MAGIC_COOKIE = 'z9hG4bK';

function topVia(message: SipRequest | SipResponse): SipVia {
  const via = getVias(message)[0];
  if (via === undefined) throw new ParseError('message has no Via', 0);
  return via;
}

function sentBy(via: SipVia): string {
  return via.port === undefined ? via.host : `${via.host}:${via.port}`;
}

/** True when the top Via branch carries the RFC 3261 magic cookie. */
export function hasRfc3261Branch(request: SipRequest): boolean {
  return topVia(request).branch?.startsWith(MAGIC_COOKIE) === true;
}

/**
 * The key a request matches its server transaction by. RFC 3261 §17.2.3: top Via branch and
 * sent-by plus the method, ACK counting as INVITE. Without the magic cookie, the RFC 2543 rule:
 * Request-URI, From tag, Call-ID, CSeq number and the top Via (the To tag of an ACK is checked
 * against the transaction's response separately). `method` overrides the request's own, which
 * is how a CANCEL finds the INVITE it cancels (§9.2).
 */
export function serverTransactionKey(request: SipRequest, method?: string): string {
  const via = topVia(request);
  const m = method ?? (request.method === 'ACK' ? 'INVITE' : request.method);
  if (via.branch?.startsWith(MAGIC_COOKIE) === true) {
    return JSON.stringify(['3261', via.branch, sentBy(via), m]);
  }
  const viaParams = via.params.map((p) => `${p.name.toLowerCase()}=${p.value ?? ''}`).join(';');
  return JSON.stringify([
    '2543',
    request.uri,
    getFrom(request).tag ?? '',
    getCallId(request),
    getCseq(request).seq,
    `${via.transport} ${sentBy(via)};${viaParams}`,
    m,
  ]);
}

/** RFC 3261 §17.1.3: a response matches the client transaction by top Via branch and CSeq method. */
export function clientTransactionKey(message: SipRequest | SipResponse): string {
  const branch = topVia(message).branch ?? '';
  const method = getCseq(message).method;
  return JSON.stringify([branch, method === 'ACK' ? 'INVITE' : method]);
}
