import type { RtpPacket } from '../../media/rtp/index.js';
import { isRtcp, parseRtcp, parseRtp, RtpStreamStats } from '../../media/rtp/index.js';

/** Counters of one endpoint. The object is live: read fields when needed, copy it for a snapshot. */
export interface RtpEndpointStats {
  /** RTP packets from the latched source that parsed and were handed to `onPacket`. */
  readonly received: number;
  /** RTP or RTCP datagrams that did not parse. */
  readonly parseErrors: number;
  /** Datagrams from a source other than the latched one (RTP and RTCP). */
  readonly foreignDropped: number;
  /** Times the endpoint moved to a new source after the latched one fell silent. */
  readonly relatches: number;
  /** `onPacket` calls that threw (the packet still counts as received). */
  readonly callbackErrors: number;
  readonly sent: number;
  /** RTP packets `send` dropped because no remote was known or the endpoint was closed. */
  readonly sendDropped: number;
  /** Datagrams the socket failed to send (RTP and RTCP). */
  readonly sendErrors: number;
  readonly rtcpReceived: number;
  readonly rtcpSent: number;
  readonly latched: boolean;
}

export type MutableRtpEndpointStats = { -readonly [K in keyof RtpEndpointStats]: RtpEndpointStats[K] };

export function emptyRtpEndpointStats(): MutableRtpEndpointStats {
  return {
    received: 0,
    parseErrors: 0,
    foreignDropped: 0,
    relatches: 0,
    callbackErrors: 0,
    sent: 0,
    sendDropped: 0,
    sendErrors: 0,
    rtcpReceived: 0,
    rtcpSent: 0,
    latched: false,
  };
}

export interface RtpReceiverOptions {
  readonly clockRateHz: number;
  /** Silence after which another source may take over the latch. */
  readonly relatchAfterMs: number;
}

/**
 * The receive half of an endpoint, without sockets: symmetric RTP latching (RFC 4961) on the
 * source address and port, per-stream statistics, RTCP intake. Streams are told apart by the
 * 5-tuple, never by SSRC (SIPp replays and some SBCs send every call with the same SSRC).
 *
 * Per packet it allocates nothing beyond what parseRtp returns; every branch counts instead of
 * throwing, because it runs inside a socket handler.
 */
export class RtpReceiver {
  onPacket: ((packet: RtpPacket, arrivalMs: number) => void) | undefined = undefined;
  readonly stats: MutableRtpEndpointStats;
  /** Source the endpoint latched onto, or undefined before the first valid packet. */
  latchedAddress: string | undefined = undefined;
  latchedPort = 0;
  /** Where the peer's RTCP actually comes from (symmetric RTCP), once seen. */
  rtcpAddress: string | undefined = undefined;
  rtcpPort = 0;
  /** Reception statistics of the latched stream; replaced when the latch moves. */
  stream: RtpStreamStats | undefined = undefined;
  private lastArrivalMs = 0;
  private readonly options: RtpReceiverOptions;

  constructor(options: RtpReceiverOptions, stats: MutableRtpEndpointStats = emptyRtpEndpointStats()) {
    this.options = options;
    this.stats = stats;
  }

  /** Forgets the latch, so the next valid packet latches afresh (the SDP remote changed). */
  unlatch(): void {
    this.latchedAddress = undefined;
    this.latchedPort = 0;
    this.rtcpAddress = undefined;
    this.rtcpPort = 0;
    this.stats.latched = false;
  }

  /** A datagram that arrived on the RTP port. */
  onRtpDatagram(bytes: Uint8Array, address: string, port: number, arrivalMs: number): void {
    // RFC 5761 §4: RTCP multiplexed on the RTP port is told apart by its packet type octet.
    if (isRtcp(bytes)) {
      this.onRtcpDatagram(bytes, address, port, arrivalMs);
      return;
    }
    const latched = this.latchedAddress;
    const fromLatched = latched !== undefined && port === this.latchedPort && address === latched;
    if (
      !fromLatched &&
      latched !== undefined &&
      arrivalMs - this.lastArrivalMs < this.options.relatchAfterMs
    ) {
      this.stats.foreignDropped++;
      return;
    }
    let packet: RtpPacket;
    try {
      packet = parseRtp(bytes);
    } catch {
      this.stats.parseErrors++;
      return;
    }
    if (!fromLatched) this.latch(address, port);
    this.lastArrivalMs = arrivalMs;
    this.stream!.record(packet, arrivalMs);
    this.stats.received++;
    const onPacket = this.onPacket;
    if (onPacket === undefined) return;
    try {
      onPacket(packet, arrivalMs);
    } catch {
      this.stats.callbackErrors++;
    }
  }

  /** A datagram that arrived on the RTCP port (or muxed on the RTP port). */
  onRtcpDatagram(bytes: Uint8Array, address: string, port: number, arrivalMs: number): void {
    // RTCP is accepted from the latched peer's address only; its port may differ under NAT.
    if (this.latchedAddress !== undefined && address !== this.latchedAddress) {
      this.stats.foreignDropped++;
      return;
    }
    let packets;
    try {
      packets = parseRtcp(bytes);
    } catch {
      this.stats.parseErrors++;
      return;
    }
    this.stats.rtcpReceived++;
    // RFC 4961 §4: symmetric RTCP, so our reports go back where the peer's come from.
    this.rtcpAddress = address;
    this.rtcpPort = port;
    const stream = this.stream;
    if (stream === undefined) return;
    for (const p of packets) {
      // RFC 3550 §6.4.1: LSR/DLSR in our next report refer to the peer's last SR.
      if (p.type === 'sr' && p.ssrc === stream.ssrc) stream.recordSenderReport(p, arrivalMs);
    }
  }

  private latch(address: string, port: number): void {
    if (this.latchedAddress !== undefined) this.stats.relatches++;
    this.latchedAddress = address;
    this.latchedPort = port;
    if (this.rtcpAddress !== address) {
      this.rtcpAddress = undefined;
      this.rtcpPort = 0;
    }
    // A new 5-tuple is a new stream, whatever its SSRC says.
    this.stream = new RtpStreamStats({ clockRateHz: this.options.clockRateHz });
    this.stats.latched = true;
  }
}
