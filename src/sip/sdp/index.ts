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
