import type { SipDestination as TransactionDestination } from '../transaction/index.js';
import type { SipDestination } from '../transport/index.js';

/**
 * The transaction layer names peers as `{ transport, host, port }`; the transport as a UDP
 * address or a TCP connection. A RoutedDestination is the former carrying the latter, so a
 * message the transaction layer sends finds its way back to the transport's address.
 */
export interface RoutedDestination extends TransactionDestination {
  readonly route: SipDestination;
  /** For a request: where it came from, when responses go elsewhere (RFC 3261 §18.2.2). */
  readonly origin?: SipDestination;
}

export function routed(destination: SipDestination): RoutedDestination {
  if ('connectionId' in destination) {
    return { transport: 'TCP', host: destination.connectionId, port: 0, route: destination };
  }
  return {
    transport: destination.transport.toUpperCase(),
    host: destination.address,
    port: destination.port,
    route: destination,
  };
}

export function routeOf(destination: TransactionDestination): SipDestination {
  if ('route' in destination) return (destination as RoutedDestination).route;
  return destination.transport.toUpperCase() === 'UDP'
    ? { transport: 'udp', address: destination.host, port: destination.port }
    : { transport: 'tcp', address: destination.host, port: destination.port };
}
