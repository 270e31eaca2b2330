import { answerOffer } from './answer-offer.js';
import { offerSession } from './create-answer.js';
import type { AnswerOptions, SdpAnswer } from './negotiated-media.js';
import { nextSessionVersion } from './next-session-version.js';
import { SdpNegotiationError } from './sdp-negotiation-error.js';
import type { SdpSession } from './sdp-session.js';
import { serializeSdp } from './serialize-sdp.js';

/** Answer options for a re-offer: the session identity and address come from the previous answer. */
export interface ReofferOptions extends Omit<AnswerOptions, 'sessionId' | 'sessionVersion' | 'address'> {
  /** Default: the address of the previous answer. */
  readonly address?: string;
}

export interface SdpReanswer extends SdpAnswer {
  /** False when the answer is the previous one again (same o= version). */
  readonly changed: boolean;
}

/**
 * Answers an offer inside an existing session (re-INVITE or UPDATE), e.g. a hold or resume.
 * Streams accepted before keep their local ports and, when still offered, their codec; new or
 * re-enabled streams get ports from `local.ports`.
 */
export function answerReoffer(
  previous: SdpAnswer,
  reoffer: SdpSession | string | Uint8Array,
  local: ReofferOptions,
): SdpReanswer {
  const offer = offerSession(reoffer);
  const before = previous.answer;
  // RFC 3264 §8: a new offer keeps every earlier m-line (a stream is removed by port 0, never by
  // deleting its line), so fewer m-lines than before cannot be answered.
  if (offer.media.length < before.media.length) {
    throw new SdpNegotiationError(
      'BAD_SDP',
      `re-offer has ${offer.media.length} m-lines, the session has ${before.media.length}`,
    );
  }
  const origin = before.origin;
  const options: AnswerOptions = {
    ...local,
    address: local.address ?? before.connection?.address ?? origin.address,
    username: local.username ?? origin.username,
    sessionName: local.sessionName ?? before.sessionName,
    sessionId: origin.sessionId,
    sessionVersion: origin.sessionVersion,
  };
  const result = answerOffer(offer, options, {
    sessionId: origin.sessionId,
    sessionVersion: origin.sessionVersion,
    previous: new Map(previous.media.map((m) => [m.index, m])),
  });
  // RFC 3264 §8: same session id always; the version goes up by one only when the description
  // changes, so an unchanged answer (a session refresh) repeats the previous one exactly.
  if (serializeSdp(result.answer) === serializeSdp(before)) return { ...result, changed: false };
  const answer: SdpSession = {
    ...result.answer,
    origin: { ...result.answer.origin, sessionVersion: nextSessionVersion(before) },
  };
  return { answer, media: result.media, changed: true };
}
