export { parseSdp, MAX_SDP_BYTES } from './parse-sdp.js';
export type { ParseSdpOptions } from './parse-sdp.js';
export { serializeSdp } from './serialize-sdp.js';
export { sdpMediaView } from './sdp-media-view.js';
export type { SdpMediaView } from './sdp-media-view.js';
export { SDP_DIRECTIONS } from './sdp-session.js';
export type {
  SdpAttribute,
  SdpBandwidth,
  SdpConnection,
  SdpDirection,
  SdpDirectionAttribute,
  SdpFmtp,
  SdpLabel,
  SdpMaxptime,
  SdpMedia,
  SdpMid,
  SdpOrigin,
  SdpOtherAttribute,
  SdpPtime,
  SdpRtcp,
  SdpRtpMap,
  SdpSession,
  SdpTiming,
} from './sdp-session.js';
export { SdpNegotiationError } from './sdp-negotiation-error.js';
export type { SdpNegotiationErrorCode } from './sdp-negotiation-error.js';
export { createAnswer } from './create-answer.js';
export { answerReoffer } from './answer-reoffer.js';
export type { ReofferOptions, SdpReanswer } from './answer-reoffer.js';
export { createOffer } from './create-offer.js';
export type { OfferOptions, OfferStream } from './create-offer.js';
export { isHold } from './is-hold.js';
export { nextSessionVersion } from './next-session-version.js';
export type {
  AnswerMode,
  AnswerOptions,
  G711CodecName,
  NegotiatedMedia,
  PortSource,
  RtpPorts,
  SdpAnswer,
} from './negotiated-media.js';
