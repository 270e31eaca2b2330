import { ParseError } from '../../core/index.js';
import type {
  AnswerMode,
  G711CodecName,
  NegotiatedMedia,
  PortSource,
  SdpAnswer,
  SdpSession,
} from '../../sip/sdp/index.js';
import { createAnswer, parseSdp, sdpMediaView, SdpNegotiationError } from '../../sip/sdp/index.js';

export interface AckAnswerOptions {
  readonly mode: AnswerMode;
  readonly codecs?: readonly G711CodecName[];
  /** Our media address (as in the offer). */
  readonly address: string;
  /** Our ports of each m-line of the offer, asked for the m-lines the answer accepts. */
  readonly ports: PortSource;
}

/**
 * Takes the answer an ACK carries to the offer of our 2xx (RFC 3261 §13.2.1, offerless INVITE)
 * and returns what was agreed, as an SdpAnswer whose `answer` is our offer (the local description
 * in force) and whose `media` are the streams the answer accepted. RFC 3264 §6: the answer has
 * as many m-lines as the offer, in the same order and of the same media types; a stream answered
 * with port 0 is declined. Each accepted m-line is negotiated as if the answer were an offer
 * restricted to our codecs (which the answerer must pick from, §6.1), so the same rules decide
 * codec, telephone-event, ptime, remote address and direction. Labels and mids are ours (the
 * answerer need not echo them, RFC 4574 §5). Throws SdpNegotiationError when it is unusable.
 */
export function acceptAckAnswer(offer: SdpSession, body: Uint8Array, options: AckAnswerOptions): SdpAnswer {
  let answer: SdpSession;
  try {
    answer = parseSdp(body);
  } catch (error) {
    if (!(error instanceof ParseError)) throw error;
    throw new SdpNegotiationError('BAD_SDP', `the answer in the ACK is not valid SDP: ${error.message}`, {
      cause: error,
    });
  }
  if (answer.media.length !== offer.media.length) {
    throw new SdpNegotiationError(
      'BAD_SDP',
      `the answer in the ACK has ${answer.media.length} m-lines for the ${offer.media.length} of our offer`,
    );
  }
  answer.media.forEach((m, i) => {
    const ours = offer.media[i]!;
    if (m.port !== 0 && m.media !== ours.media) {
      throw new SdpNegotiationError('BAD_SDP', `m-line ${i}: answered ${m.media} for our ${ours.media}`);
    }
  });
  const agreed = createAnswer(answer, {
    address: options.address,
    ports: options.ports,
    mode: options.mode,
    ...(options.codecs === undefined ? {} : { codecs: options.codecs }),
    sessionId: offer.origin.sessionId,
    sessionVersion: offer.origin.sessionVersion,
  });
  const media = agreed.media.map((m): NegotiatedMedia => {
    const view = sdpMediaView(offer, m.index);
    return { ...m, label: view.label, mid: view.mid };
  });
  return { answer: offer, media };
}
