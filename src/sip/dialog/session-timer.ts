/*
 * RFC 4028 session timers, the UAS side (§9):
 *
 *   Session-Expires = ("Session-Expires" / "x") HCOLON delta-seconds *(SEMI se-params)
 *   se-params       = refresher-param / generic-param
 *   refresher-param = "refresher" EQUAL ("uas" / "uac")
 *   Min-SE          = "Min-SE" HCOLON delta-seconds *(SEMI generic-param)
 *
 * We always leave the refreshing to the UAC: we never send refresh requests ourselves, and only
 * run a timer when the UAC said `Supported: timer`, so the peer we rely on can refresh.
 */
import { ParseError } from '../../core/index.js';
import type { SipRequest } from '../message/index.js';
import { getHeader, getHeaders } from '../message/index.js';

export interface SessionTimerPolicy {
  /** The interval we answer with when the peer asks for more, or gives none. */
  readonly sessionExpiresS: number;
  /** Our Min-SE: smaller Session-Expires values are refused with 422. */
  readonly minSessionExpiresS: number;
}

export type SessionTimerDecision =
  | { readonly kind: 'off' }
  | { readonly kind: 'too-small'; readonly minSeS: number }
  | { readonly kind: 'on'; readonly intervalS: number };

/** RFC 4028 §4: the smallest Min-SE anyone may ask for. */
export const RFC_MIN_SE_S = 90;
const MAX_DELTA_SECONDS = 0xffffffff;

function readDeltaSeconds(value: string, what: string): number {
  const first = value.split(';')[0]!.trim();
  if (!/^[0-9]{1,10}$/.test(first)) throw new ParseError(`bad ${what} value`, 0);
  const n = Number(first);
  if (n > MAX_DELTA_SECONDS) throw new ParseError(`${what} out of range`, 0);
  return n;
}

/** True when a list header (Supported, Require, Allow...) names `tag`, case-insensitively. */
export function listHas(request: SipRequest, header: string, tag: string): boolean {
  const lower = tag.toLowerCase();
  return getHeaders(request, header).some((v) => v.toLowerCase() === lower);
}

/**
 * Decides the session timer for an INVITE, re-INVITE or UPDATE (RFC 4028 §9). Throws
 * ParseError for a malformed Session-Expires or Min-SE (the caller answers 400).
 */
export function negotiateSessionTimer(request: SipRequest, policy: SessionTimerPolicy): SessionTimerDecision {
  const seText = getHeader(request, 'Session-Expires');
  const minSeText = getHeader(request, 'Min-SE');
  const requested = seText === undefined ? undefined : readDeltaSeconds(seText, 'Session-Expires');
  const peerMinSe = minSeText === undefined ? undefined : readDeltaSeconds(minSeText, 'Min-SE');
  const ourMin = Math.max(RFC_MIN_SE_S, policy.minSessionExpiresS);
  // RFC 4028 §9: an interval below our minimum is refused with 422 carrying our Min-SE.
  if (requested !== undefined && requested < ourMin) {
    return { kind: 'too-small', minSeS: Math.max(ourMin, peerMinSe ?? 0) };
  }
  // RFC 4028 §9: a Session-Expires without `Supported: timer` was put there by a proxy; a UAC
  // that cannot refresh would make us the refresher, which we leave to the UAC (see above).
  if (!listHas(request, 'Supported', 'timer')) return { kind: 'off' };
  const floor = Math.max(ourMin, peerMinSe ?? 0);
  // RFC 4028 §9: we may lower the interval but not below the Min-SE, and never raise it.
  let intervalS = Math.max(Math.min(requested ?? policy.sessionExpiresS, policy.sessionExpiresS), floor);
  if (requested !== undefined) intervalS = Math.min(intervalS, requested);
  return { kind: 'on', intervalS };
}

/** RFC 4028 §10: without a refresh, the session ends at expiry − min(32, SE/3) seconds. */
export function sessionExpiryDelayMs(intervalS: number): number {
  return Math.round((intervalS - Math.min(32, intervalS / 3)) * 1000);
}
