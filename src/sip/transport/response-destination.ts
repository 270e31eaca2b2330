import type { SipResponse } from '../message/index.js';
import { getVias, paramValue } from '../message/index.js';
import type { SipDestination } from './sip-destination.js';

const DEFAULT_PORT = 5060;

export interface ResponseRoute {
  /** The connection the request arrived on, if it came over TCP. */
  readonly connectionId?: string;
  /** Whether that connection is still open. */
  readonly isOpen?: (connectionId: string) => boolean;
}

function unbracket(host: string): string {
  return host.replace(/^\[(.*)\]$/, '$1');
}

/**
 * Where a server transport sends a response, from its top Via (RFC 3261 §18.2.2, RFC 3581 §4).
 * Undefined when the response has no Via (nothing to send it to).
 */
export function responseDestination(
  response: SipResponse,
  route: ResponseRoute = {},
): SipDestination | undefined {
  const top = getVias(response)[0];
  if (!top) return undefined;
  // RFC 3261 §18.2.2: a request that came over a connection is answered on that connection while
  // it is open (whatever transport its Via claims: the stream is what reaches the client).
  if (route.connectionId !== undefined && (route.isOpen?.(route.connectionId) ?? false)) {
    return { transport: 'tcp', connectionId: route.connectionId };
  }
  if (top.transport !== 'UDP') {
    // RFC 3261 §18.2.2: the connection is gone; open one to `received` (else sent-by) at the
    // sent-by port.
    return {
      transport: 'tcp',
      address: unbracket(top.received ?? top.host),
      port: top.port ?? DEFAULT_PORT,
    };
  }
  const maddr = paramValue(top.params, 'maddr');
  if (typeof maddr === 'string' && maddr.length > 0) {
    // RFC 3261 §18.2.2: maddr → that address, at the sent-by port or 5060.
    return { transport: 'udp', address: unbracket(maddr), port: top.port ?? DEFAULT_PORT };
  }
  if (top.received !== undefined) {
    // RFC 3581 §4: with a filled rport, the response goes to received:rport; RFC 3261 §18.2.2:
    // otherwise to received at the sent-by port.
    const port = typeof top.rport === 'number' ? top.rport : (top.port ?? DEFAULT_PORT);
    return { transport: 'udp', address: unbracket(top.received), port };
  }
  return { transport: 'udp', address: unbracket(top.host), port: top.port ?? DEFAULT_PORT };
}
