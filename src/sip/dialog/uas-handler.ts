import type { SipHeader, SipRequest } from '../message/index.js';
import type { SipDestination } from '../transport/index.js';

/** A new call offered to the handler (an initial INVITE that passed validation and admission). */
export interface IncomingCall {
  readonly dialogId: string;
  /** The Call-ID header. */
  readonly sipCallId: string;
  /** The INVITE. */
  readonly request: SipRequest;
  /** Where the INVITE came from (for TCP: its connection). */
  readonly source: SipDestination;
  /**
   * Aborted when the call ends for any reason: CANCEL or shutdown before the answer (the
   * handler should stop preparing it), or any later end.
   */
  readonly signal: AbortSignal;
}

export interface DialogInfo {
  readonly dialogId: string;
  readonly sipCallId: string;
}

export interface SessionAnswer {
  /** The body of the 2xx (usually SDP); empty for none. */
  readonly body: string;
  /** Default `application/sdp`. */
  readonly contentType?: string;
  /** Appended to the 2xx after the headers the user agent writes. */
  readonly headers?: readonly SipHeader[];
  /**
   * True when `body` is our offer, because the INVITE carried none (a SIPREC INVITE may carry
   * metadata without SDP); the ACK must then carry the answer (RFC 3261 §13.2.1). Implied for an
   * INVITE without any body.
   */
  readonly offer?: boolean;
}

export type DialogEndReason =
  | 'remote-bye'
  | 'local-bye'
  | 'cancelled'
  | 'rejected'
  | 'no-ack'
  /** Our 2xx carried the offer and the ACK had no answer, or one onConfirmed refused: BYE sent. */
  | 'bad-answer'
  | 'session-expired'
  | 'shutdown'
  | 'error';

/** What the ingress layer gives SipUserAgent; see SipUserAgent for when each is called. */
export interface UasHandler {
  /**
   * A new INVITE. Resolve with the 200's body, or throw SipRejection for a final error
   * response; any other error is answered with 500.
   */
  onInvite(call: IncomingCall): Promise<SessionAnswer>;
  /**
   * A re-INVITE (with or without an offer) or an UPDATE with an offer. Resolve with the answer
   * (for an offerless re-INVITE: the current local SDP, as an offer). SipRejection → that
   * response (e.g. 488) and the dialog continues. An UPDATE without a body is a session refresh
   * only and is answered without asking the handler (RFC 3311 §5.2: its 2xx carries no offer).
   */
  onReoffer(dialog: DialogInfo, request: SipRequest): Promise<SessionAnswer>;
  /**
   * The 2xx to the INVITE was ACKed: media may start. `ack` carries the answer when our 2xx held
   * the offer (an ACK without one never gets here: the dialog ends with 'bad-answer'). Throwing
   * SipRejection (its `warning` says why) refuses that answer: the dialog sends BYE and ends with
   * 'bad-answer'.
   */
  onConfirmed?(dialog: DialogInfo, ack: SipRequest): void;
  /** INFO with application/dtmf-relay or application/dtmf. `durationMs` is 0 when the body gives none. */
  onDtmf?(dialog: DialogInfo, dtmf: { readonly digit: string; readonly durationMs: number }): void;
  /**
   * Called exactly once for every onInvite call, whatever the path, and never without one, so
   * the ingress can release ports and decoders.
   */
  onEnded(dialog: DialogInfo, reason: DialogEndReason): void;
}
