import type { CodecInfo } from '../../media/codecs/index.js';
import { codecForName, codecForPayloadType } from '../../media/codecs/index.js';
import type { AnswerMode, G711CodecName } from './negotiated-media.js';
import type { SdpMediaView } from './sdp-media-view.js';
import type { SdpConnection, SdpDirection } from './sdp-session.js';
import { telephoneEvents } from './telephone-events.js';

/** What one negotiation needs to know about us. */
export interface StreamPolicy {
  readonly codecs: readonly G711CodecName[];
  readonly telephoneEvent: boolean;
  readonly ptimeMs: number;
  readonly mode: AnswerMode;
  /** In a re-answer, the payload type we use now on this m-line, kept when still offered. */
  readonly currentPayloadType?: number;
}

export interface AcceptedStream {
  readonly accepted: true;
  readonly view: SdpMediaView;
  /** Where the offerer receives this stream: the view's connection, known to be there. */
  readonly connection: SdpConnection;
  readonly payloadType: number;
  readonly codec: CodecInfo;
  readonly telephoneEvent: { readonly payloadType: number; readonly events: string } | null;
  /** a=ptime we write in the answer: what we want to receive. */
  readonly answerPtimeMs: number;
  /** What we send. */
  readonly sendPtimeMs: number;
  readonly direction: SdpDirection;
  readonly onHold: boolean;
}

export interface RejectedStream {
  readonly accepted: false;
  readonly reason: string;
}

export type StreamDecision = AcceptedStream | RejectedStream;

/** Audio clock of G.711 and of the telephone-event stream that goes with it (RFC 4733 §2.1). */
const G711_CLOCK_HZ = 8000;
/** Packetizations our pacer and packetizer handle (whole G.711 samples, at most 200 ms). */
const MIN_PTIME_MS = 10;
const MAX_PTIME_MS = 200;

function codecOf(view: SdpMediaView, payloadType: number): CodecInfo | undefined {
  const rtpMap = view.rtpMaps.get(payloadType);
  if (rtpMap) {
    const mono = rtpMap.encodingParameters === null || rtpMap.encodingParameters === '1';
    return rtpMap.clockRateHz === G711_CLOCK_HZ && mono ? codecForName(rtpMap.encodingName) : undefined;
  }
  // RFC 3551 §6: static payload types (below 96) mean their codec without an rtpmap.
  return payloadType < 96 ? codecForPayloadType(payloadType) : undefined;
}

function isTelephoneEvent(view: SdpMediaView, payloadType: number): boolean {
  const rtpMap = view.rtpMaps.get(payloadType);
  return rtpMap?.encodingName.toLowerCase() === 'telephone-event' && rtpMap.clockRateHz === G711_CLOCK_HZ;
}

/**
 * The direction the offerer really offers. RFC 3264 §8.4: an offer with c=0.0.0.0 is the RFC 2543
 * way to stop receiving, so a sendrecv stream with that address is effectively sendonly.
 */
function offeredDirection(view: SdpMediaView): SdpDirection {
  if (!view.connectionOnHold) return view.direction;
  if (view.direction === 'sendrecv') return 'sendonly';
  if (view.direction === 'recvonly') return 'inactive';
  return view.direction;
}

function answerDirection(offered: SdpDirection, mode: AnswerMode): SdpDirection {
  if (mode === 'siprec') {
    // RFC 7866 §8.1.1: the SRS only receives. A stream the SRC does not send (a=inactive pauses
    // a recording, RFC 7866 §8.1.4) is answered inactive, as RFC 3264 §6.1 requires for recvonly.
    return offered === 'sendonly' || offered === 'sendrecv' ? 'recvonly' : 'inactive';
  }
  // RFC 3264 §6.1: sendonly is answered recvonly, recvonly sendonly, inactive inactive; a
  // sendrecv stream may be answered sendrecv, which is what a call wants.
  switch (offered) {
    case 'sendonly':
      return 'recvonly';
    case 'recvonly':
      return 'sendonly';
    default:
      return offered;
  }
}

function isSanePtime(ms: number): boolean {
  return ms >= MIN_PTIME_MS && ms <= MAX_PTIME_MS && Number.isInteger(ms * 8);
}

/** Decides how to answer one offered m-line. Pure: allocates no ports. */
export function negotiateStream(view: SdpMediaView, policy: StreamPolicy): StreamDecision {
  const m = view.media;
  // RFC 3264 §6: a stream offered with port 0 stays rejected in the answer.
  if (m.port === 0) return { accepted: false, reason: 'offered with port 0' };
  if (m.media !== 'audio') return { accepted: false, reason: `media type ${m.media}` };
  // Plain RTP only: SRTP (RTP/SAVP, a=crypto) and feedback profiles are not implemented.
  if (m.proto !== 'RTP/AVP') return { accepted: false, reason: `transport ${m.proto}` };
  // A fault confined to this m-line (parseSdp): declined, whatever else it offers.
  if (m.defect !== undefined) return { accepted: false, reason: m.defect };
  const connection = view.connection;
  if (connection === null) return { accepted: false, reason: 'no connection address' };
  if (connection.ttl !== null || connection.addressCount !== null) {
    return { accepted: false, reason: 'multicast connection address' };
  }

  const offered = m.formats.map(Number);
  const ours = (pt: number): CodecInfo | undefined => {
    const codec = codecOf(view, pt);
    return codec && (policy.codecs as readonly string[]).includes(codec.name) ? codec : undefined;
  };
  // RFC 3264 §6.1: the answerer should use the offerer's preference among the formats it supports.
  // In a re-answer we keep the codec in use when it is still offered, so a re-INVITE never
  // switches codecs mid-call.
  const current = policy.currentPayloadType;
  const payloadType =
    current !== undefined && offered.includes(current) && ours(current)
      ? current
      : offered.find((pt) => ours(pt) !== undefined);
  if (payloadType === undefined) return { accepted: false, reason: 'no common codec' };
  const codec = ours(payloadType)!;

  let telephoneEvent: AcceptedStream['telephoneEvent'] = null;
  const tePt = policy.telephoneEvent ? offered.find((pt) => isTelephoneEvent(view, pt)) : undefined;
  if (tePt !== undefined) {
    const events = telephoneEvents(view.fmtps.get(String(tePt)));
    if (events !== null) telephoneEvent = { payloadType: tePt, events };
  }

  // RFC 3264 §6.1 and RFC 4566 §6: a=ptime says what a side wants to receive, a=maxptime the most
  // it can take. We ask for our ptime, capped at the offerer's maxptime (deployed gear applies
  // maxptime both ways), and send what the offerer asked for within the same cap.
  const maxptime = view.maxptimeMs !== null && isSanePtime(view.maxptimeMs) ? view.maxptimeMs : null;
  const cap = (ms: number): number => (maxptime !== null && ms > maxptime ? maxptime : ms);
  const answerPtimeMs = cap(policy.ptimeMs);
  const sendPtimeMs = cap(view.ptimeMs !== null && isSanePtime(view.ptimeMs) ? view.ptimeMs : answerPtimeMs);

  const effective = offeredDirection(view);
  const direction = answerDirection(effective, policy.mode);
  const onHold =
    policy.mode === 'siprec'
      ? direction === 'inactive'
      : effective === 'sendonly' || effective === 'inactive';
  return {
    accepted: true,
    view,
    connection,
    payloadType,
    codec,
    telephoneEvent,
    answerPtimeMs,
    sendPtimeMs,
    direction,
    onHold,
  };
}
