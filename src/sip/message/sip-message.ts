/**
 * The SIP message model, RFC 3261 §7. Header values are kept as text, unfolded and trimmed, in
 * wire order with the name spelled as received, so that a message in canonical form serializes
 * back to the same bytes; typed views come from the accessors in `sip-headers.ts`.
 */

/** One header line. `value` is unfolded (RFC 3261 §7.3.1: LWS folding reads as one SP) and trimmed. */
export interface SipHeader {
  /** The name as written on the wire: `Via`, `v`, `CALL-ID`. */
  readonly name: string;
  readonly value: string;
}

interface SipMessageBase {
  /** `SIP/2.0` for everything we accept and send; kept as written for RFC 4475 §3.1.2.16. */
  readonly version: string;
  readonly headers: readonly SipHeader[];
  readonly body: Uint8Array;
}

export interface SipRequest extends SipMessageBase {
  readonly kind: 'request';
  /** Case-sensitive (RFC 3261 §7.1): `INVITE`, `BYE`, or an extension token. */
  readonly method: string;
  /** The Request-URI as written; `parseUri` gives its structure. */
  readonly uri: string;
}

export interface SipResponse extends SipMessageBase {
  readonly kind: 'response';
  /** 100..699. */
  readonly status: number;
  /** Possibly empty (RFC 4475 §3.1.1.13). */
  readonly reason: string;
}

export type SipMessage = SipRequest | SipResponse;

/** Bounds a hostile datagram runs into. */
export const SIP_MAX_MESSAGE_BYTES = 65536;
export const SIP_MAX_HEADER_LINES = 256;
export const SIP_MAX_HEADER_LINE_BYTES = 16384;
