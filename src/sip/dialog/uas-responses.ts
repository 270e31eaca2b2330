import { randomBytes } from 'node:crypto';
import type { SipHeader, SipRequest, SipResponse } from '../message/index.js';
import { createResponse, reasonPhrase, warningHeader } from '../message/index.js';

/** Methods we answer (RFC 3261 §20.5). */
export const ALLOWED_METHODS = ['INVITE', 'ACK', 'CANCEL', 'BYE', 'OPTIONS', 'INFO', 'UPDATE'] as const;
export const ALLOW = ALLOWED_METHODS.join(', ');
/** Bodies we take: SDP, SIPREC multipart, DTMF INFO. */
export const ACCEPT = 'application/sdp, multipart/mixed, application/dtmf-relay, application/dtmf';
/** Option tags we implement (RFC 4028 `timer`). */
export const SUPPORTED = 'timer';
/** Option tags a request may Require of us: `timer`, and `siprec` (RFC 7866 §6.1.1). */
export const UNDERSTOOD_REQUIRE = new Set(['timer', 'siprec']);

export function newTag(): string {
  return randomBytes(8).toString('hex');
}

export interface UasResponseOptions {
  readonly server: string;
  /** Our To tag; a fresh one when the request's To has none and this is not given. */
  readonly toTag?: string;
  readonly reason?: string;
  readonly headers?: readonly SipHeader[];
  readonly body?: Uint8Array;
  /**
   * What was wrong, for the Warning of a 4xx/5xx; default the reason phrase. Ignored when
   * `headers` already carry a Warning.
   */
  readonly warning?: string;
  /** The warn-agent of that Warning (RFC 3261 §20.43: our host[:port]); default the pseudonym `voxbridge`. */
  readonly warnAgent?: string;
}

/**
 * createResponse plus the Server header every response of ours carries (RFC 3261 §20.35), and for
 * every 4xx/5xx a Warning saying what was wrong (RFC 3261 §20.43), unless one is given.
 */
export function uasResponse(request: SipRequest, status: number, options: UasResponseOptions): SipResponse {
  const headers: SipHeader[] = [{ name: 'Server', value: options.server }, ...(options.headers ?? [])];
  if (status >= 400 && !headers.some((h) => h.name.toLowerCase() === 'warning')) {
    const text = options.warning ?? options.reason ?? reasonPhrase(status);
    headers.push(warningHeader(options.warnAgent ?? 'voxbridge', text));
  }
  return createResponse(request, status, options.reason, {
    toTag: options.toTag ?? newTag(),
    headers,
    ...(options.body !== undefined && { body: options.body }),
  });
}

/** The capability headers of a 2xx to INVITE/OPTIONS (RFC 3261 §11.2, §13.3.1.4). */
export function capabilityHeaders(withAccept: boolean): SipHeader[] {
  const headers: SipHeader[] = [
    { name: 'Allow', value: ALLOW },
    { name: 'Supported', value: SUPPORTED },
  ];
  if (withAccept) headers.push({ name: 'Accept', value: ACCEPT });
  return headers;
}
