export {
  parseRtp,
  serializeRtp,
  serializeRtpInto,
  rtpPacketBytes,
  isRtcp,
  RTP_FIXED_HEADER_BYTES,
} from './rtp-packet.js';
export type { RtpPacket, RtpHeaderExtension } from './rtp-packet.js';
export { parseRtcp, rtcpCname, RTCP_SR, RTCP_RR, RTCP_SDES, RTCP_BYE, SDES_CNAME } from './rtcp-packet.js';
export type {
  RtcpPacket,
  RtcpSenderReport,
  RtcpReceiverReport,
  RtcpReportBlock,
  RtcpSourceDescription,
  RtcpSdesChunk,
  RtcpSdesItem,
  RtcpBye,
  RtcpUnknown,
} from './rtcp-packet.js';
export { serializeRtcp } from './rtcp-serialize.js';
export { ntpTimestamp, ntpMiddle32 } from './ntp-time.js';
export type { NtpTimestamp } from './ntp-time.js';
export { seqDelta, seqAdd, timestampDelta } from './sequence-math.js';
export { EMPTY_JITTER_STATS, JitterBuffer } from './jitter-buffer.js';
export type {
  JitterBufferOptions,
  JitterBufferOutput,
  JitterBufferStats,
  JitterPushResult,
} from './jitter-buffer.js';
export { RtpPacketizer } from './rtp-packetizer.js';
export type { RtpPacketizerOptions, PacketizeOptions } from './rtp-packetizer.js';
export {
  decodeTelephoneEvent,
  encodeTelephoneEvent,
  encodeTelephoneEventInto,
  dtmfDigitFromEvent,
  dtmfEventFromDigit,
  TELEPHONE_EVENT_BYTES,
} from './telephone-event.js';
export type { TelephoneEvent, DtmfDigit } from './telephone-event.js';
export { DtmfReceiver } from './dtmf-receiver.js';
export type { DtmfEvent, DtmfReceiverOptions, DtmfReceiverStats } from './dtmf-receiver.js';
export { DtmfSender } from './dtmf-sender.js';
export type { DtmfSenderOptions, ScheduledRtpPacket } from './dtmf-sender.js';
export { RtpStreamStats } from './rtp-stream-stats.js';
export type { RtpStreamStatsOptions } from './rtp-stream-stats.js';
