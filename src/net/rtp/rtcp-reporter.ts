import type { RtcpPacket, RtcpReportBlock, RtpPacket, RtpStreamStats } from '../../media/rtp/index.js';
import { ntpTimestamp, serializeRtcp, SDES_CNAME } from '../../media/rtp/index.js';

/**
 * RFC 3550 §6.2: the deterministic interval for a two-party voice call is the 5 s minimum
 * (RTCP bandwidth at 5% of 64 kbit/s allows far more), and the first report may go out after half
 * of it. §6.3.1: the interval is then randomised over [0.5, 1.5] times itself so that reports from
 * many participants do not synchronise. The e−3/2 compensation of §6.3.1 is left out on purpose:
 * it only offsets timer reconsideration, which a unicast two-party session does not run.
 */
export function rtcpIntervalMs(minIntervalMs: number, random: () => number, initial: boolean): number {
  const base = initial ? minIntervalMs / 2 : minIntervalMs;
  return base * (0.5 + random());
}

/**
 * Builds the compound RTCP datagrams of one endpoint (RFC 3550 §6.1: SR or RR first, then SDES
 * with the CNAME, then BYE when leaving). Tracks what we sent for the SR sender info.
 */
export class RtcpReporter {
  /** SSRC of our outgoing stream; follows the SSRC of the RTP packets we send. */
  ssrc: number;
  readonly cname: string;
  private readonly clockRateHz: number;
  private packetsSent = 0;
  private octetsSent = 0;
  private lastRtpTimestamp = 0;
  private lastRtpSentMs = 0;
  private sentSinceReport = false;

  constructor(ssrc: number, cname: string, clockRateHz: number) {
    this.ssrc = ssrc >>> 0;
    this.cname = cname;
    this.clockRateHz = clockRateHz;
  }

  /** Called for every RTP packet sent. */
  recordSent(packet: RtpPacket, nowMs: number): void {
    this.ssrc = packet.ssrc;
    this.packetsSent++;
    this.octetsSent += packet.payload.length;
    this.lastRtpTimestamp = packet.timestamp;
    this.lastRtpSentMs = nowMs;
    this.sentSinceReport = true;
  }

  /**
   * One compound report. RFC 3550 §6.4: an SR when we sent RTP since the last report, else an
   * RR; the report block describes the stream we receive (when there is one). Computing the block
   * starts a new loss interval in `stream`, so call this once per report actually sent.
   */
  compose(nowMs: number, wallMs: number, stream: RtpStreamStats | undefined, bye: boolean): Uint8Array {
    const reports: RtcpReportBlock[] =
      stream === undefined || stream.ssrc < 0 ? [] : [stream.reportBlock(nowMs)];
    const packets: RtcpPacket[] = [];
    if (this.sentSinceReport) {
      const ntp = ntpTimestamp(wallMs);
      // RFC 3550 §6.4.1: the RTP timestamp corresponds to the same instant as the NTP timestamp,
      // extrapolated from the last packet sent on the media clock.
      const elapsedUnits = Math.round(((nowMs - this.lastRtpSentMs) * this.clockRateHz) / 1000);
      packets.push({
        type: 'sr',
        ssrc: this.ssrc,
        ntpSeconds: ntp.seconds,
        ntpFraction: ntp.fraction,
        rtpTimestamp: (this.lastRtpTimestamp + Math.max(0, elapsedUnits)) >>> 0,
        // RFC 3550 §6.4.1: both counts wrap modulo 2^32.
        packetCount: this.packetsSent >>> 0,
        octetCount: this.octetsSent >>> 0,
        reports,
        extension: new Uint8Array(0),
      });
    } else {
      packets.push({ type: 'rr', ssrc: this.ssrc, reports, extension: new Uint8Array(0) });
    }
    this.sentSinceReport = false;
    packets.push({
      type: 'sdes',
      chunks: [{ ssrc: this.ssrc, items: [{ type: SDES_CNAME, text: this.cname }] }],
    });
    // RFC 3550 §6.6: BYE is the last packet of the compound datagram.
    if (bye) packets.push({ type: 'bye', ssrcs: [this.ssrc], reason: null });
    return serializeRtcp(packets);
  }
}
