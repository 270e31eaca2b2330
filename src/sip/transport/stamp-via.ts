import type { SipRequest } from '../message/index.js';
import { getVias, headerKey, splitList } from '../message/index.js';
import type { SipSource } from './sip-destination.js';

/** `[::1]` and `::1` name the same host; IPv4 and names compare as written (lower case). */
function bareHost(host: string): string {
  return host.replace(/^\[(.*)\]$/, '$1').toLowerCase();
}

/**
 * Adds what the server transport learns from the network to the request's top Via.
 *
 * - RFC 3261 §18.2.1: `received=<source address>` when the sent-by host differs from it.
 * - RFC 3581 §4: when the Via carries `rport` without a value, `rport=<source port>`, and then
 *   `received` always, even when it equals the sent-by host.
 *
 * Returns the request unchanged when nothing is to be added. The rest of the Via header line,
 * and every other header, keeps its bytes.
 */
export function stampVia(request: SipRequest, source: SipSource): SipRequest {
  const top = getVias(request)[0];
  if (!top) return request;
  const address = bareHost(source.address);
  const wantsRport = top.rport === null;
  const addReceived = wantsRport || bareHost(top.host) !== address;
  if (!addReceived && !wantsRport) return request;

  const index = request.headers.findIndex((h) => headerKey(h.name) === 'via');
  const header = request.headers[index];
  if (!header) return request;
  const first = splitList(header.value)[0];
  if (first === undefined) return request;
  const at = header.value.indexOf(first);
  let parm = first;
  if (wantsRport) parm = parm.replace(/;[ \t]*rport(?=[ \t]*(;|$))/i, `;rport=${source.port}`);
  if (addReceived) {
    // A received value we did not write is replaced: it is this hop's observation, not the sender's.
    if (top.received !== undefined) parm = parm.replace(/;[ \t]*received[ \t]*=[ \t]*[^;]*/i, '');
    parm = `${parm};received=${address}`;
  }
  const value = header.value.slice(0, at) + parm + header.value.slice(at + first.length);
  const headers = request.headers.slice();
  headers[index] = { name: header.name, value };
  return { ...request, headers };
}
