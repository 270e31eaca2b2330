import type { SipHeader, SipRequest, SipResponse } from '../message/index.js';
import { getCseq, getHeader, getHeaders } from '../message/index.js';

/**
 * RFC 3261 §17.1.1.3: the ACK an INVITE client transaction sends for a 300-699 response.
 * Request-URI, Call-ID, From and the top Via come from the request, To from the response (its
 * tag), CSeq carries the same number with method ACK, and Route headers are copied.
 */
export function buildAck(invite: SipRequest, response: SipResponse): SipRequest {
  const headers: SipHeader[] = [];
  // Only the top Via value goes into the ACK; getHeaders splits comma lists.
  const topVia = getHeaders(invite, 'Via')[0];
  if (topVia !== undefined) headers.push({ name: 'Via', value: topVia });
  for (const route of getHeaders(invite, 'Route')) headers.push({ name: 'Route', value: route });
  const maxForwards = getHeader(invite, 'Max-Forwards');
  if (maxForwards !== undefined) headers.push({ name: 'Max-Forwards', value: maxForwards });
  const copy = (name: string, from: SipRequest | SipResponse): void => {
    const value = getHeader(from, name);
    if (value !== undefined) headers.push({ name, value });
  };
  copy('From', invite);
  copy('To', response);
  copy('Call-ID', invite);
  headers.push({ name: 'CSeq', value: `${getCseq(invite).seq} ACK` });
  headers.push({ name: 'Content-Length', value: '0' });
  return {
    kind: 'request',
    version: 'SIP/2.0',
    method: 'ACK',
    uri: invite.uri,
    headers,
    body: new Uint8Array(0),
  };
}
