import { VoxError } from '../../core/index.js';

/**
 * Why an offer could not be answered:
 * - `NO_COMMON_CODEC`: well-formed, but no audio stream we can take; answer 488 Not Acceptable
 *   Here (RFC 3261 §21.4.26, RFC 3264 §6).
 * - `BAD_SDP`: the body is not a usable session description; answer 400 Bad Request, or 488
 *   when the description parsed but breaks an offer/answer rule.
 */
export type SdpNegotiationErrorCode = 'NO_COMMON_CODEC' | 'BAD_SDP';

export class SdpNegotiationError extends VoxError {
  declare readonly code: SdpNegotiationErrorCode;
  /** The SIP final response the UAS should send. */
  readonly sipStatusCode: 400 | 488;

  constructor(
    code: SdpNegotiationErrorCode,
    message: string,
    options?: { cause?: unknown; sipStatusCode?: 400 | 488 },
  ) {
    super(code, message, options);
    this.name = 'SdpNegotiationError';
    this.sipStatusCode = options?.sipStatusCode ?? 488;
  }
}
