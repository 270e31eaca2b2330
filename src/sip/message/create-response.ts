import { InvalidArgumentError, ParseError } from '../../core/index.js';
import { headerKey } from './header-names.js';
import { reasonPhrase } from './reason-phrases.js';
import { readNameAddrValue } from './sip-headers.js';
import type { SipHeader, SipRequest, SipResponse } from './sip-message.js';
import { isToken } from './sip-syntax.js';

export interface CreateResponseExtra {
  /** To tag for a response that creates or belongs to a dialog; required unless To has one. */
  readonly toTag?: string;
  /** Headers appended after the copied ones (Contact, Allow, Record-Route, ...). */
  readonly headers?: readonly SipHeader[];
  readonly body?: Uint8Array;
}

/** The headers RFC 3261 §8.2.6.2 copies from a request into its responses, in this order. */
const COPIED = ['via', 'from', 'to', 'call-id', 'cseq'];
const CANONICAL: Readonly<Record<string, string>> = {
  via: 'Via',
  from: 'From',
  to: 'To',
  'call-id': 'Call-ID',
  cseq: 'CSeq',
};

/**
 * Builds a response to `request` per RFC 3261 §8.2.6: Via (every value, in order), From, To,
 * Call-ID and CSeq copied; a To tag added when the request's To has none (except for 100, which
 * §8.2.6.2 leaves untagged), then `extra.headers` and body.
 */
export function createResponse(
  request: SipRequest,
  status: number,
  reason?: string,
  extra: CreateResponseExtra = {},
): SipResponse {
  if (!Number.isInteger(status) || status < 100 || status > 699) {
    throw new InvalidArgumentError(`status ${status} is not 100..699`);
  }
  return buildResponse(request.headers, status, reason ?? reasonPhrase(status), extra);
}

/** Shared by createResponse and badRequestFor: copies the §8.2.6.2 headers from `source`. */
export function buildResponse(
  source: readonly SipHeader[],
  status: number,
  reason: string,
  extra: CreateResponseExtra,
): SipResponse {
  if (/[\r\n]/.test(reason)) throw new InvalidArgumentError('reason phrase contains a line break');
  const headers: SipHeader[] = [];
  for (const key of COPIED) {
    for (const h of source) {
      if (headerKey(h.name) !== key) continue;
      let value = h.value;
      if (key === 'to' && status !== 100 && !hasTag(value)) {
        // RFC 3261 §8.2.6.2: the UAS adds a tag to To unless the request already had one.
        if (extra.toTag === undefined || !isToken(extra.toTag)) {
          throw new InvalidArgumentError('a To tag (a token) is required for this response');
        }
        value = `${value};tag=${extra.toTag}`;
      }
      headers.push({ name: CANONICAL[key]!, value });
      // Via is the only one of these that may repeat (RFC 3261 §8.2.6.2 copies all of them).
      if (key !== 'via') break;
    }
  }
  headers.push(...(extra.headers ?? []));
  return {
    kind: 'response',
    version: 'SIP/2.0',
    status,
    reason,
    headers,
    body: extra.body ?? new Uint8Array(0),
  };
}

function hasTag(to: string): boolean {
  try {
    return readNameAddrValue(to).tag !== undefined;
  } catch (error) {
    if (!(error instanceof ParseError)) throw error;
    // A To we cannot parse (only badRequestFor copies those) is judged by its text.
    return /;[ \t]*tag[ \t]*=/i.test(to);
  }
}
