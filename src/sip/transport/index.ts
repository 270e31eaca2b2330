export { SipTransport } from './sip-transport.js';
export type {
  SipTransportOptions,
  SipTransportMessage,
  SipTransportStats,
  SipTransportEvents,
} from './sip-transport.js';
export { SipStreamFramer, SIP_STREAM_MAX_MESSAGE_BYTES } from './sip-stream-framer.js';
export type { SipStreamFramerOptions, SipFramedChunk } from './sip-stream-framer.js';
export { stampVia } from './stamp-via.js';
export { responseDestination } from './response-destination.js';
export type { ResponseRoute } from './response-destination.js';
export type { SipDestination, SipSource } from './sip-destination.js';
