/**
 * The SDP data model (RFC 4566). A session description is plain immutable data: the parser
 * produces it, the serializer writes it, and offer/answer builds new ones rather than editing.
 *
 * Attributes are kept as one ordered list per level, typed where voxbridge understands them and
 * `other` where it does not, so that unknown attributes survive a round trip in their place.
 */

/** RFC 3264 §5.1 stream directions, written as property attributes (`a=sendonly`). */
export type SdpDirection = 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive';

export const SDP_DIRECTIONS: readonly SdpDirection[] = Object.freeze([
  'sendrecv',
  'sendonly',
  'recvonly',
  'inactive',
]);

/** `o=<username> <sess-id> <sess-version> <nettype> <addrtype> <unicast-address>` (RFC 4566 §5.2). */
export interface SdpOrigin {
  readonly username: string;
  /** Kept as text: it is a 64-bit quantity in practice (often an NTP timestamp). */
  readonly sessionId: string;
  /** Kept as text for the same reason; offer/answer increments it with BigInt. */
  readonly sessionVersion: string;
  readonly netType: string;
  readonly addrType: string;
  readonly address: string;
}

/** `c=<nettype> <addrtype> <connection-address>` (RFC 4566 §5.7). */
export interface SdpConnection {
  readonly netType: string;
  /** `IP4` or `IP6` in practice; other values are kept as written. */
  readonly addrType: string;
  /** The address without any multicast `/ttl/count` suffix. */
  readonly address: string;
  /** IPv4 multicast TTL, or null. */
  readonly ttl: number | null;
  /** Multicast address count, or null. */
  readonly addressCount: number | null;
}

/** `b=<bwtype>:<bandwidth>` (RFC 4566 §5.8). */
export interface SdpBandwidth {
  readonly type: string;
  /** Kilobits per second for CT and AS; bits per second for TIAS (RFC 3890). */
  readonly value: number;
}

/** `t=<start-time> <stop-time>` with its `r=` lines (RFC 4566 §5.9, §5.10). */
export interface SdpTiming {
  readonly startTime: number;
  readonly stopTime: number;
  /** `r=` values as written; telephony never uses them, so they are not interpreted. */
  readonly repeats: readonly string[];
}

/** `a=rtpmap:<payload type> <encoding name>/<clock rate>[/<encoding parameters>]` (RFC 4566 §6). */
export interface SdpRtpMap {
  readonly kind: 'rtpmap';
  readonly payloadType: number;
  readonly encodingName: string;
  readonly clockRateHz: number;
  /** For audio, the channel count; null when omitted (meaning one channel). */
  readonly encodingParameters: string | null;
}

/** `a=fmtp:<format> <format specific parameters>` (RFC 4566 §6); the parameters stay raw. */
export interface SdpFmtp {
  readonly kind: 'fmtp';
  readonly format: string;
  readonly parameters: string;
}

export interface SdpPtime {
  readonly kind: 'ptime';
  readonly ptimeMs: number;
}

export interface SdpMaxptime {
  readonly kind: 'maxptime';
  readonly maxptimeMs: number;
}

export interface SdpDirectionAttribute {
  readonly kind: 'direction';
  readonly direction: SdpDirection;
}

/** `a=rtcp:<port> [<nettype> <addrtype> <connection-address>]` (RFC 3605 §2.1). */
export interface SdpRtcp {
  readonly kind: 'rtcp';
  readonly port: number;
  readonly connection: SdpConnection | null;
}

/** `a=label:<pointer>` (RFC 4574); SIPREC (RFC 7866) ties metadata streams to m-lines with it. */
export interface SdpLabel {
  readonly kind: 'label';
  readonly label: string;
}

/** `a=mid:<identification-tag>` (RFC 5888 §4). */
export interface SdpMid {
  readonly kind: 'mid';
  readonly mid: string;
}

/** Any other attribute: `a=<name>` (value null) or `a=<name>:<value>`. */
export interface SdpOtherAttribute {
  readonly kind: 'other';
  readonly name: string;
  readonly value: string | null;
}

export type SdpAttribute =
  | SdpRtpMap
  | SdpFmtp
  | SdpPtime
  | SdpMaxptime
  | SdpDirectionAttribute
  | SdpRtcp
  | SdpLabel
  | SdpMid
  | SdpOtherAttribute;

/** One media description: the `m=` line and the lines up to the next `m=` (RFC 4566 §5.14). */
export interface SdpMedia {
  /** `audio`, `video`, `application`, ... */
  readonly media: string;
  /** 0 means the stream is rejected or disabled (RFC 3264 §5.1, §6). */
  readonly port: number;
  /** The `/<number of ports>` suffix, or null. */
  readonly portCount: number | null;
  /** `RTP/AVP`, `RTP/SAVP`, `UDP/TLS/RTP/SAVPF`, ... */
  readonly proto: string;
  /** Payload types as written for RTP protos; opaque tokens otherwise. */
  readonly formats: readonly string[];
  readonly information: string | null;
  readonly connection: SdpConnection | null;
  readonly bandwidths: readonly SdpBandwidth[];
  readonly key: string | null;
  readonly attributes: readonly SdpAttribute[];
  /**
   * Why this m-line cannot be used as offered, when parseSdp found a fault that concerns it alone
   * (a malformed attribute, bandwidth or c= line, a repeated line, no connection address). Absent
   * for a usable m-line. A defective m-line is declined with port 0 (RFC 3264 §6) while the others
   * are answered; its faulty lines are kept only as far as the model can hold them, so such an
   * m-line is never written back out as it came.
   */
  readonly defect?: string;
}

export interface SdpSession {
  /** Always 0 (RFC 4566 §5.1). */
  readonly version: 0;
  readonly origin: SdpOrigin;
  readonly sessionName: string;
  readonly information: string | null;
  readonly uri: string | null;
  readonly emails: readonly string[];
  readonly phones: readonly string[];
  readonly connection: SdpConnection | null;
  readonly bandwidths: readonly SdpBandwidth[];
  readonly timings: readonly SdpTiming[];
  /** The `z=` value as written, or null. */
  readonly timeZones: string | null;
  readonly key: string | null;
  readonly attributes: readonly SdpAttribute[];
  readonly media: readonly SdpMedia[];
}
