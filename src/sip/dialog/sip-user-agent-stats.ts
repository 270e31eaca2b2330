/** Counters a SipUserAgent keeps; all only ever grow. */
export interface SipUserAgentStats {
  /** Initial INVITEs received (retransmissions excluded: the transaction layer absorbs them). */
  invites: number;
  /** Initial INVITEs answered 2xx. */
  answered: number;
  /** Initial INVITEs answered with a final error: validation, admission, handler rejection. */
  rejected: number;
  /** Of those, 503s because we were draining or full (INVITE and OPTIONS). */
  overloaded: number;
  /** Of those, 503s because the source already had maxUnackedPerSource dialogs awaiting an ACK. */
  unackedRefused: number;
  cancelled: number;
  remoteByes: number;
  localByes: number;
  /** Dialogs ended because the 2xx was never ACKed. */
  noAck: number;
  sessionExpired: number;
  /** Dialogs whose 2xx carried our offer (offerless INVITE) and whose ACK had no usable answer: BYE. */
  badAnswers: number;
  /** INVITEs without Contact accepted the RFC 2543 way (remote target: the From URI). */
  rfc2543Invites: number;
  /** re-INVITEs and UPDATEs with an offer handed to onReoffer. */
  reoffers: number;
  dtmf: number;
  /** In-dialog requests and CANCELs that matched nothing (481). */
  unmatched: number;
  /** Errors caught inside the user agent (a bug, or a send that threw); the process carries on. */
  internalErrors: number;
}

export function emptyStats(): SipUserAgentStats {
  return {
    invites: 0,
    answered: 0,
    rejected: 0,
    overloaded: 0,
    unackedRefused: 0,
    cancelled: 0,
    remoteByes: 0,
    localByes: 0,
    noAck: 0,
    sessionExpired: 0,
    badAnswers: 0,
    rfc2543Invites: 0,
    reoffers: 0,
    dtmf: 0,
    unmatched: 0,
    internalErrors: 0,
  };
}
