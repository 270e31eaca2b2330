import { ParseError } from '../../core/index.js';
import { answerOffer, decimalId } from './answer-offer.js';
import type { AnswerOptions, SdpAnswer } from './negotiated-media.js';
import { parseSdp } from './parse-sdp.js';
import { SdpNegotiationError } from './sdp-negotiation-error.js';
import type { SdpSession } from './sdp-session.js';

/** Parses an offer body, turning a ParseError into BAD_SDP (400 Bad Request). */
export function offerSession(offer: SdpSession | string | Uint8Array): SdpSession {
  if (typeof offer !== 'string' && !(offer instanceof Uint8Array)) return offer;
  try {
    return parseSdp(offer);
  } catch (e) {
    if (e instanceof ParseError) {
      throw new SdpNegotiationError('BAD_SDP', `offer is not valid SDP: ${e.message}`, {
        cause: e,
        sipStatusCode: 400,
      });
    }
    throw e;
  }
}

/**
 * Answers an initial offer as voxbridge, the answerer (RFC 3264 §6): the same m-lines in the same
 * order, one G.711 codec per accepted audio stream plus telephone-event when offered, port 0 for
 * everything else. Throws SdpNegotiationError (NO_COMMON_CODEC or BAD_SDP) when it cannot.
 */
export function createAnswer(offer: SdpSession | string | Uint8Array, local: AnswerOptions): SdpAnswer {
  return answerOffer(offerSession(offer), local, {
    sessionId: decimalId(local.sessionId, 'sessionId'),
    sessionVersion: decimalId(local.sessionVersion, 'sessionVersion'),
  });
}
