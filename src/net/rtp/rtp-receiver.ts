import net from 'node:net';
import type { RtpPacket } from '../../media/rtp/index.js';
import { isRtcp, parseRtcp, parseRtp, RtpStreamStats } from '../../media/rtp/index.js';

/**
 * Which sources an endpoint takes media from.
 *
 * - `address` (default): only from the IP address the SDP names; the port may differ (symmetric
 *   RTP behind a port-translating NAT or SBC, RFC 4961), and a relatch after silence may move to
 *   another port of that address only.
 * - `strict`: only from the exact address and port the SDP names.
 * - `any`: the first source seen latches, and any source may take over after silence (peers
 *   behind address-translating NATs whose SDP names a private address). Any host that can reach
 *   the port can inject audio and DTMF, so use it only on a trusted network.
 */
export type RtpLatching = 'address' | 'strict' | 'any';

export const RTP_LATCHING_MODES: readonly RtpLatching[] = ['address', 'strict', 'any'];

/** Counters of one endpoint. The object is live: read fields when needed, copy it for a snapshot. */
export interface RtpEndpointStats {
  /** RTP packets from the latched source that parsed and were handed to `onPacket`. */
  readonly received: number;
  /** RTP or RTCP datagrams that did not parse. */
  readonly parseErrors: number;
  /**
   * Datagrams from an allowed address but another source than the latched one, while the latched
   * one still talks (RTP and RTCP).
   */
  readonly foreignDropped: number;
  /**
   * Datagrams the latching policy refused before parsing: from an address (or, `strict`, a port)
   * the SDP did not name, or while no usable SDP address is known (RTP and RTCP).
   */
  readonly rejected: number;
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
    rejected: 0,
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
  /** Default `address`; see RtpLatching. */
  readonly latching?: RtpLatching;
}

/**
 * The receive half of an endpoint, without sockets: symmetric RTP latching (RFC 4961) on the
 * source address and port within what the latching policy allows, per-stream statistics, RTCP
 * intake. Streams are told apart by the
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
  private readonly latching: RtpLatching;
  /** The address (and port) the SDP names; media from elsewhere is refused unless `any`. */
  private expectedAddress: string | undefined = undefined;
  private expectedPort = 0;

  constructor(options: RtpReceiverOptions, stats: MutableRtpEndpointStats = emptyRtpEndpointStats()) {
    this.options = options;
    this.latching = options.latching ?? 'address';
    this.stats = stats;
  }

  /**
   * The peer's media address and port from its SDP. An address that is not an IP literal (a
   * hostname in c=) is never resolved here: no DNS on the media path, so under `address` and
   * `strict` such a peer's media is refused (and counted) until an SDP names an IP address.
   */
  expect(address: string, port: number): void {
    const ip = plainAddress(address);
    this.expectedAddress = net.isIP(ip) === 0 ? undefined : ip;
    this.expectedPort = port;
  }

  /** Whether the latching policy lets a datagram from this source in at all. */
  private allowed(address: string, port: number, rtcp: boolean): boolean {
    if (this.latching === 'any') return true;
    const expected = this.expectedAddress;
    if (expected === undefined || plainAddress(address) !== expected) return false;
    // RTCP comes from the RTP port + 1, an a=rtcp port, or the RTP port itself (RFC 5761), so
    // even `strict` checks only its address.
    return rtcp || this.latching !== 'strict' || port === this.expectedPort;
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
    // Refused before parsing, jitter buffering or DTMF decoding: a port sprayer gets nothing in.
    if (!this.allowed(address, port, false)) {
      this.stats.rejected++;
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
    if (!this.allowed(address, port, true)) {
      this.stats.rejected++;
      return;
    }
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

/** `::ffff:192.0.2.1` (an IPv4 peer on a dual-stack socket) compares as `192.0.2.1`. */
function plainAddress(address: string): string {
  return address.startsWith('::ffff:') && net.isIPv4(address.slice(7)) ? address.slice(7) : address;
}
