import type { CodecInfo } from '../../media/codecs/index.js';
import type { SdpDirection, SdpSession } from './sdp-session.js';

/** Local RTP and RTCP ports for one stream. */
export interface RtpPorts {
  readonly rtp: number;
  readonly rtcp: number;
}

/** Where local ports come from: a function of the m-line index, or an allocator object. */
export type PortSource = ((mediaIndex: number) => RtpPorts) | { allocate(mediaIndex: number): RtpPorts };

/**
 * `uas`: an ordinary call, where we send and receive. `siprec`: we are the recording server
 * (RFC 7866) and only ever receive.
 */
export type AnswerMode = 'uas' | 'siprec';

/** The G.711 codecs voxbridge can negotiate, by SDP encoding name. */
export type G711CodecName = 'PCMU' | 'PCMA';

/** What we can do, for an answer. */
export interface AnswerOptions {
  /** Our media address; an address containing ':' is written as IP6. */
  readonly address: string;
  /** Asked only for m-lines we accept, after we know the offer can be answered at all. */
  readonly ports: PortSource;
  /** Our codecs; default ['PCMU', 'PCMA']. The offerer's order decides among them (RFC 3264 §6.1). */
  readonly codecs?: readonly G711CodecName[];
  /** Accept RFC 4733 telephone-event when offered; default true. */
  readonly telephoneEvent?: boolean;
  /** The packetization we want to receive; default 20. */
  readonly ptimeMs?: number;
  readonly sessionId: string | number | bigint;
  readonly sessionVersion: string | number | bigint;
  /** o= username; default '-' (RFC 4566 §5.2: no user ids). */
  readonly username?: string;
  /** s= value; default '-'. */
  readonly sessionName?: string;
  /** Default 'uas'. */
  readonly mode?: AnswerMode;
}

/** One accepted stream, as both sides agreed it. */
export interface NegotiatedMedia {
  /** The m-line index in offer and answer. */
  readonly index: number;
  /** a=label of the offered m-line (RFC 4574; SIPREC stream identity), or null. */
  readonly label: string | null;
  readonly mid: string | null;
  /** Where to send RTP: the media-level c= address, else the session-level one. */
  readonly remoteAddress: string;
  readonly remoteRtpPort: number;
  /** a=rtcp address and port (RFC 3605), else the RTP address and port + 1 (RFC 3550 §11). */
  readonly remoteRtcpAddress: string;
  readonly remoteRtcpPort: number;
  readonly localRtpPort: number;
  readonly localRtcpPort: number;
  /** The payload type both sides use for audio (the offerer's number; may be dynamic). */
  readonly payloadType: number;
  readonly codec: CodecInfo;
  /** The offerer's telephone-event payload type when both sides use RFC 4733, else null. */
  readonly telephoneEventPayloadType: number | null;
  /** The packetization we send: what the offerer asked for, within its maxptime. */
  readonly ptimeMs: number;
  /** a=ptime and a=maxptime of the offer, or null. */
  readonly remotePtimeMs: number | null;
  readonly remoteMaxptimeMs: number | null;
  /** Our direction, as written in the answer. */
  readonly direction: SdpDirection;
  /**
   * The offerer stopped listening or sending: in a call, a hold (a=sendonly, a=inactive or
   * c=0.0.0.0); in SIPREC, a paused recording (a=inactive).
   */
  readonly onHold: boolean;
}

/** The result of answering an offer. */
export interface SdpAnswer {
  readonly answer: SdpSession;
  /** Accepted streams in m-line order; rejected m-lines (port 0) are not listed. */
  readonly media: readonly NegotiatedMedia[];
}
