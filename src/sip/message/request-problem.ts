import { ParseError } from '../../core/index.js';
import { getCseq, getHeader } from './sip-headers.js';
import type { SipRequest } from './sip-message.js';
import { isSipUri, parseUri } from './sip-uri.js';

/** Why a request that parsed must still be refused, and with which status. */
export interface RequestProblem {
  readonly status: 400 | 415 | 416 | 505;
  readonly reason: string;
  /** What exactly is wrong, for the response's Warning (RFC 3261 §20.43). */
  readonly detail: string;
}

/**
 * Checks the semantic rules a well-formed request can still break (RFC 4475 §3.1.2.11, §3.1.2.16
 * to §3.1.2.18, §3.3.2), returning the first problem found or undefined.
 */
export function requestProblem(request: SipRequest): RequestProblem | undefined {
  // RFC 3261 §8.2.2 (and §21.5.6): only SIP/2.0 is understood.
  if (request.version !== 'SIP/2.0')
    return { status: 505, reason: 'Version Not Supported', detail: 'only SIP/2.0 is supported' };
  let uri;
  try {
    uri = parseUri(request.uri);
  } catch (error) {
    if (error instanceof ParseError) {
      return { status: 400, reason: 'Bad Request-URI', detail: 'the Request-URI could not be parsed' };
    }
    throw error;
  }
  // RFC 3261 §8.2.2.1: a scheme we do not understand is answered with 416.
  if (!isSipUri(uri)) {
    return {
      status: 416,
      reason: 'Unsupported URI Scheme',
      detail: 'the Request-URI scheme is not sip or sips',
    };
  }
  // RFC 3261 §19.1.1 (table): headers are not allowed in a Request-URI.
  if (uri.headers.length > 0) {
    return { status: 400, reason: 'Headers in Request-URI', detail: 'the Request-URI carries headers' };
  }
  // RFC 3261 §8.1.1.5: the CSeq method matches the request method.
  if (getCseq(request).method !== request.method) {
    return {
      status: 400,
      reason: 'CSeq Method Mismatch',
      detail: 'the CSeq method differs from the request method',
    };
  }
  // RFC 3261 §20.15: a body must say what it is.
  if (request.body.length > 0 && getHeader(request, 'Content-Type') === undefined) {
    return { status: 400, reason: 'Missing Content-Type', detail: 'a body without a Content-Type header' };
  }
  return undefined;
}
