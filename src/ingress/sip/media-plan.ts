import type { RtpPacket } from '../../media/rtp/index.js';
import type { NegotiatedMedia, SdpAnswer, SdpSession } from '../../sip/sdp/index.js';
import { createAnswer } from '../../sip/sdp/index.js';
import type { AnswerMode, G711CodecName } from '../../sip/sdp/index.js';
import type { LegCodec } from '../../session/index.js';

/**
 * What the ingress uses of an RTP endpoint (net/rtp's RtpEndpoint), so unit tests can hand it
 * endpoints without sockets.
 */
export interface MediaEndpoint {
  readonly rtpPort: number;
  readonly rtcpPort: number;
  onPacket: ((packet: RtpPacket, arrivalMs: number) => void) | undefined;
  setRemote(remote: { address: string; port: number; rtcpPort: number } | undefined): void;
  send(packet: RtpPacket): void;
  close(): Promise<void>;
}

/** What the ingress uses of net/rtp's RtpPortPool. */
export interface MediaPortPool {
  /** Binds `count` contiguous RTP/RTCP pairs; throws RtpPortsExhaustedError when it cannot. */
  open(count: number): Promise<readonly MediaEndpoint[]>;
}

export interface MediaPlanOptions {
  readonly pool: MediaPortPool;
  /** The address written into our SDP (c=): where the peer sends RTP. */
  readonly mediaAddress: string;
  readonly mode: AnswerMode;
  readonly codecs?: readonly G711CodecName[];
}

/** An answered offer with one bound RTP endpoint per accepted m-line. */
export interface MediaPlan {
  readonly answer: SdpAnswer;
  /** Parallel to `answer.media`. */
  readonly endpoints: readonly MediaEndpoint[];
}

/**
 * Audio m-lines of an offer that could get ports (port not 0, no defect). The cap on them is
 * checked before anything is bound, because each costs an RTP/RTCP pair and makes the 2xx
 * (retransmitted until the ACK) longer. An m-line parseSdp found a fault in is declined with port
 * 0 and costs nothing, so it counts among the other m-lines (capped by number too), not here.
 */
export function activeAudioStreams(offer: SdpSession): number {
  let count = 0;
  for (const media of offer.media) {
    if (media.media === 'audio' && media.port !== 0 && media.defect === undefined) count++;
  }
  return count;
}

/**
 * Answers an offer and binds the RTP/RTCP ports the answer names. The SDP layer asks for ports
 * only for m-lines it accepts, and only once it knows the offer can be answered, so a first pass
 * with placeholder ports counts them (and throws SdpNegotiationError → 488 before any socket is
 * bound); the pool then binds that many contiguous pairs and the second pass writes them.
 * Contiguous pairs matter for SIPREC: replayed captures reach stream 2 at port P+2.
 */
export async function planMedia(offer: SdpSession, options: MediaPlanOptions): Promise<MediaPlan> {
  const sessionId = randomSessionId();
  const base = {
    address: options.mediaAddress,
    mode: options.mode,
    sessionId,
    sessionVersion: sessionId,
    ...(options.codecs === undefined ? {} : { codecs: options.codecs }),
  };
  let accepted = 0;
  createAnswer(offer, { ...base, ports: () => ({ rtp: 2 * ++accepted, rtcp: 2 * accepted + 1 }) });
  const endpoints = await options.pool.open(accepted);
  try {
    let next = 0;
    const answer = createAnswer(offer, {
      ...base,
      ports: () => {
        const endpoint = endpoints[next++];
        if (endpoint === undefined) throw new Error('the SDP layer asked for more ports than it counted');
        return { rtp: endpoint.rtpPort, rtcp: endpoint.rtcpPort };
      },
    });
    return { answer, endpoints };
  } catch (error) {
    await Promise.all(endpoints.map((e) => e.close()));
    throw error;
  }
}

/** The session layer's view of a negotiated stream. */
export function legCodec(media: NegotiatedMedia): LegCodec {
  const encoding = media.codec.encoding === 'alaw' ? 'alaw' : 'mulaw';
  return {
    encoding,
    payloadType: media.payloadType,
    ptimeMs: media.ptimeMs,
    ...(media.telephoneEventPayloadType === null
      ? {}
      : { telephoneEventPayloadType: media.telephoneEventPayloadType }),
  };
}

/** Where RTP and RTCP for a stream go until symmetric RTP latches onto what actually arrives. */
export function remoteOf(
  media: NegotiatedMedia,
): { address: string; port: number; rtcpPort: number } | undefined {
  // RFC 3264 §8.4 / RFC 2543: c=0.0.0.0 or port 0 means "do not send".
  if (media.remoteRtpPort === 0 || media.remoteAddress === '0.0.0.0') return undefined;
  return { address: media.remoteAddress, port: media.remoteRtpPort, rtcpPort: media.remoteRtcpPort };
}

function randomSessionId(): string {
  // RFC 4566 §5.2: a numeric id; NTP-timestamp-like values are suggested, any unique digits do.
  return String(Date.now() * 1000 + Math.floor(Math.random() * 1000));
}
