import { InvalidArgumentError } from '../../core/index.js';
import { codecForName } from '../../media/codecs/index.js';
import type { AcceptedStream, StreamDecision, StreamPolicy } from './negotiate-stream.js';
import { negotiateStream } from './negotiate-stream.js';
import type { AnswerOptions, NegotiatedMedia, PortSource, RtpPorts, SdpAnswer } from './negotiated-media.js';
import { SdpNegotiationError } from './sdp-negotiation-error.js';
import { sdpMediaView } from './sdp-media-view.js';
import type { SdpAttribute, SdpConnection, SdpMedia, SdpSession } from './sdp-session.js';

/** Session identity and, for a re-answer, the streams negotiated so far by m-line index. */
export interface AnswerContext {
  readonly sessionId: string;
  readonly sessionVersion: string;
  readonly previous?: ReadonlyMap<number, NegotiatedMedia>;
}

/** o= session id and version are decimal numbers (RFC 4566 §5.2), at most 64 bits in practice. */
export function decimalId(value: string | number | bigint, what: string): string {
  const text = String(value);
  if (!/^\d{1,20}$/.test(text))
    throw new InvalidArgumentError(`${what} must be a decimal number, got ${text}`);
  return text;
}

/** A c= line for a local address. */
export function localConnection(address: string): SdpConnection {
  if (address === '') throw new InvalidArgumentError('local media address is empty');
  return {
    netType: 'IN',
    addrType: address.includes(':') ? 'IP6' : 'IP4',
    address,
    ttl: null,
    addressCount: null,
  };
}

/**
 * A session description of ours: o= and c= name our address, nothing optional is set. Offers and
 * answers differ only in their t= lines and media.
 */
export function localSession(fields: {
  connection: SdpConnection;
  username: string | undefined;
  sessionName: string | undefined;
  sessionId: string;
  sessionVersion: string;
  timings: SdpSession['timings'];
  media: SdpMedia[];
}): SdpSession {
  const { connection } = fields;
  return {
    version: 0,
    origin: {
      username: fields.username ?? '-',
      sessionId: fields.sessionId,
      sessionVersion: fields.sessionVersion,
      netType: 'IN',
      addrType: connection.addrType,
      address: connection.address,
    },
    sessionName: fields.sessionName ?? '-',
    information: null,
    uri: null,
    emails: [],
    phones: [],
    connection,
    bandwidths: [],
    timings: fields.timings,
    timeZones: null,
    key: null,
    attributes: [],
    media: fields.media,
  };
}

export function streamPolicy(options: AnswerOptions): StreamPolicy {
  const codecs = options.codecs ?? ['PCMU', 'PCMA'];
  if (codecs.length === 0 || codecs.some((c) => codecForName(c) === undefined)) {
    throw new InvalidArgumentError(`codecs must be G.711 names (PCMU, PCMA), got ${codecs.join(',')}`);
  }
  const ptimeMs = options.ptimeMs ?? 20;
  if (!Number.isInteger(ptimeMs) || ptimeMs < 10 || ptimeMs > 200) {
    throw new InvalidArgumentError(`ptimeMs must be an integer from 10 to 200, got ${ptimeMs}`);
  }
  return { codecs, telephoneEvent: options.telephoneEvent ?? true, ptimeMs, mode: options.mode ?? 'uas' };
}

function allocate(source: PortSource, index: number): RtpPorts {
  const ports = typeof source === 'function' ? source(index) : source.allocate(index);
  const valid = (p: number): boolean => Number.isInteger(p) && p > 0 && p <= 65535;
  if (!valid(ports.rtp) || !valid(ports.rtcp)) {
    throw new InvalidArgumentError(
      `port source gave invalid ports ${ports.rtp}/${ports.rtcp} for m-line ${index}`,
    );
  }
  return ports;
}

function acceptedMedia(s: AcceptedStream, ports: RtpPorts): SdpMedia {
  const formats = [String(s.payloadType)];
  const attributes: SdpAttribute[] = [
    {
      kind: 'rtpmap',
      payloadType: s.payloadType,
      encodingName: s.codec.name,
      clockRateHz: 8000,
      encodingParameters: null,
    },
  ];
  if (s.telephoneEvent) {
    const pt = s.telephoneEvent.payloadType;
    formats.push(String(pt));
    attributes.push(
      {
        kind: 'rtpmap',
        payloadType: pt,
        encodingName: 'telephone-event',
        clockRateHz: 8000,
        encodingParameters: null,
      },
      { kind: 'fmtp', format: String(pt), parameters: s.telephoneEvent.events },
    );
  }
  attributes.push({ kind: 'ptime', ptimeMs: s.answerPtimeMs });
  // RFC 3605 §2.1: a=rtcp is needed only when RTCP is not on the RTP port + 1.
  if (ports.rtcp !== ports.rtp + 1) attributes.push({ kind: 'rtcp', port: ports.rtcp, connection: null });
  if (s.view.label !== null) attributes.push({ kind: 'label', label: s.view.label });
  // RFC 5888 §9.1: an answerer that understands grouping echoes the offered mid.
  if (s.view.mid !== null) attributes.push({ kind: 'mid', mid: s.view.mid });
  attributes.push({ kind: 'direction', direction: s.direction });
  return {
    media: 'audio',
    port: ports.rtp,
    portCount: null,
    proto: s.view.media.proto,
    formats,
    information: null,
    connection: null,
    bandwidths: [],
    key: null,
    attributes,
  };
}

/**
 * RFC 3264 §6: a rejected stream keeps its m-line (media and transport as offered) with port 0
 * and the offered formats; nothing else of the offer is echoed, so neither are its faults.
 */
function rejectedMedia(offered: SdpMedia): SdpMedia {
  return {
    media: offered.media,
    port: 0,
    portCount: null,
    proto: offered.proto,
    formats: offered.formats,
    information: null,
    connection: null,
    bandwidths: [],
    key: null,
    attributes: [],
  };
}

/** RFC 3264 §5: "t=0 0" is what a session of unbounded time writes. */
const UNBOUNDED_TIMING: SdpSession['timings'] = Object.freeze([
  Object.freeze({ startTime: 0, stopTime: 0, repeats: Object.freeze([]) }),
]);

/** How many per-m-line reasons a NO_COMMON_CODEC message lists: it becomes a Warning header. */
const MAX_LISTED_REASONS = 4;

function negotiatedMedia(s: AcceptedStream, ports: RtpPorts): NegotiatedMedia {
  const v = s.view;
  return {
    index: v.index,
    label: v.label,
    mid: v.mid,
    remoteAddress: s.connection.address,
    remoteRtpPort: v.media.port,
    remoteRtcpAddress: v.rtcp?.connection?.address ?? s.connection.address,
    // RFC 3605 §2.1 when a=rtcp is given, else RFC 3550 §11: RTCP on the next higher port.
    remoteRtcpPort: v.rtcp?.port ?? v.media.port + 1,
    localRtpPort: ports.rtp,
    localRtcpPort: ports.rtcp,
    payloadType: s.payloadType,
    codec: s.codec,
    telephoneEventPayloadType: s.telephoneEvent?.payloadType ?? null,
    ptimeMs: s.sendPtimeMs,
    remotePtimeMs: v.ptimeMs,
    remoteMaxptimeMs: v.maxptimeMs,
    direction: s.direction,
    onHold: s.onHold,
  };
}

/** Answers a parsed offer (RFC 3264 §6). Shared by createAnswer and answerReoffer. */
export function answerOffer(offer: SdpSession, options: AnswerOptions, context: AnswerContext): SdpAnswer {
  const policy = streamPolicy(options);
  const connection = localConnection(options.address);
  // RFC 3264 §6: decline, don't refuse. Every m-line is decided on its own (an m-line without a
  // connection address, or with a fault parseSdp found in it, is declined like video or an
  // unknown codec), and the offer is refused only when none is usable.
  const decisions: StreamDecision[] = offer.media.map((_, i) =>
    negotiateStream(sdpMediaView(offer, i), {
      ...policy,
      currentPayloadType: context.previous?.get(i)?.payloadType,
    }),
  );
  if (!decisions.some((d) => d.accepted)) {
    const reasons = decisions
      .slice(0, MAX_LISTED_REASONS)
      .map((d, i) => `m-line ${i}: ${d.accepted ? 'accepted' : d.reason}`);
    if (decisions.length > MAX_LISTED_REASONS) reasons.push(`${decisions.length - MAX_LISTED_REASONS} more`);
    throw new SdpNegotiationError(
      'NO_COMMON_CODEC',
      offer.media.length === 0
        ? 'offer has no media'
        : `no audio stream can be accepted (${reasons.join('; ')})`,
    );
  }
  // Ports are taken only now, once the offer is known to be answerable, so a 488 leaks none.
  const media: SdpMedia[] = [];
  const negotiated: NegotiatedMedia[] = [];
  decisions.forEach((d, i) => {
    if (!d.accepted) {
      media.push(rejectedMedia(offer.media[i]!));
      return;
    }
    const before = context.previous?.get(i);
    const ports = before
      ? { rtp: before.localRtpPort, rtcp: before.localRtcpPort }
      : allocate(options.ports, i);
    media.push(acceptedMedia(d, ports));
    negotiated.push(negotiatedMedia(d, ports));
  });
  const answer = localSession({
    connection,
    username: options.username,
    sessionName: options.sessionName,
    sessionId: context.sessionId,
    sessionVersion: context.sessionVersion,
    // RFC 3264 §6: the t= line of the answer must equal the offer's. An offer without one (see
    // parseSdp) gets the only value telephony uses, so that our answer is valid RFC 4566.
    timings: offer.timings.length > 0 ? offer.timings : UNBOUNDED_TIMING,
    media,
  });
  return { answer, media: negotiated };
}
