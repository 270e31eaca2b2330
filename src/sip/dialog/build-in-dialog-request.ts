import { isIP } from 'node:net';
import type { NameAddr, SipHeader, SipRequest } from '../message/index.js';
import { paramValue, parseUri, serializeNameAddr, serializeUri } from '../message/index.js';
import { newBranch } from '../transaction/index.js';
import type { SipDestination } from '../transport/index.js';

/** What a UAS dialog knows for building its own requests (RFC 3261 §12.1.1). */
export interface DialogRequestState {
  readonly callId: string;
  /** Our From: the INVITE's To value with our tag. */
  readonly localAddress: string;
  /** Our To: the INVITE's From value (with the remote tag). */
  readonly remoteAddress: string;
  /** The Contact URI of the INVITE, as text. */
  readonly remoteTarget: string;
  /** The INVITE's Record-Route entries, in order (§12.1.1: the UAS keeps their order). */
  readonly routeSet: readonly NameAddr[];
  /** Where the INVITE came from: the fallback next hop and, over TCP, the connection. */
  readonly source: SipDestination;
  /** Our Contact host and port, which also go into our Via. */
  readonly contact: { readonly host: string; readonly port: number };
  readonly userAgent: string;
}

export interface BuiltRequest {
  readonly request: SipRequest;
  readonly destination: SipDestination;
}

/** `host` as it goes into a Via sent-by or URI: IPv6 in brackets. */
export function hostPort(host: string, port: number): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]:${port}` : `${host}:${port}`;
}

function isLooseRoute(route: NameAddr): boolean {
  return 'params' in route.uri && paramValue(route.uri.params, 'lr') !== undefined;
}

/**
 * RFC 3261 §12.2.1.1: a request within the dialog. Request-URI and Route come from the remote
 * target and the route set (loose routing when the first route has `lr`, else strict routing:
 * the first route becomes the Request-URI and the remote target the last Route); a fresh branch.
 */
export function buildInDialogRequest(
  state: DialogRequestState,
  method: string,
  cseq: number,
  extra: readonly SipHeader[] = [],
): BuiltRequest {
  let uri = state.remoteTarget;
  let routes = state.routeSet.map(serializeNameAddr);
  const first = state.routeSet[0];
  if (first !== undefined && !isLooseRoute(first)) {
    uri = serializeUri(first.uri);
    routes = [...routes.slice(1), `<${state.remoteTarget}>`];
  }
  const destination = nextHop(state, first === undefined ? state.remoteTarget : serializeUri(first.uri));
  const transport = destination.transport === 'tcp' ? 'TCP' : 'UDP';
  const headers: SipHeader[] = [
    {
      name: 'Via',
      value: `SIP/2.0/${transport} ${hostPort(state.contact.host, state.contact.port)};branch=${newBranch()};rport`,
    },
    { name: 'Max-Forwards', value: '70' },
    ...routes.map((value) => ({ name: 'Route', value })),
    { name: 'From', value: state.localAddress },
    { name: 'To', value: state.remoteAddress },
    { name: 'Call-ID', value: state.callId },
    { name: 'CSeq', value: `${cseq} ${method}` },
    { name: 'User-Agent', value: state.userAgent },
    ...extra,
    { name: 'Content-Length', value: '0' },
  ];
  return {
    request: { kind: 'request', version: 'SIP/2.0', method, uri, headers, body: new Uint8Array(0) },
    destination,
  };
}

/**
 * Where the request goes: over TCP, the connection the INVITE came on; over UDP, the next hop's
 * URI when it is an IP literal with a port (we do no DNS, RFC 3263), else the INVITE's source.
 */
function nextHop(state: DialogRequestState, uriText: string): SipDestination {
  if (state.source.transport === 'tcp') return state.source;
  try {
    const uri = parseUri(uriText);
    if ('host' in uri && uri.port !== undefined) {
      const host = uri.host.replace(/^\[(.*)\]$/, '$1');
      if (isIP(host) !== 0) return { transport: 'udp', address: host, port: uri.port };
    }
  } catch {
    // A remote target we cannot parse: the source is still a good place to send to.
  }
  return state.source;
}
