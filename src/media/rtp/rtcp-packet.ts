/*
 * RTCP packets, RFC 3550 §6.4 and §6.5. Every packet starts with the common header and several
 * packets are stacked into one compound datagram (§6.1):
 *
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |V=2|P|  RC/SC  |      PT       |  length (32-bit words - 1)    |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * SR (PT 200): SSRC, NTP seconds, NTP fraction, RTP timestamp, packet count, octet count, then RC
 * report blocks, then profile-specific extensions. RR (PT 201): SSRC, then RC report blocks, then
 * extensions. A report block is six words:
 *
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                 SSRC_n (SSRC of source n)                     |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | fraction lost |       cumulative number of packets lost       |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |           extended highest sequence number received           |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                      interarrival jitter                      |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                         last SR (LSR)                         |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                   delay since last SR (DLSR)                  |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * SDES (PT 202): SC chunks of SSRC + items (type, length, UTF-8 text), each chunk ended by one or
 * more zero octets up to a 32-bit boundary. BYE (PT 203): SC SSRCs, then optionally a length
 * octet and a reason text, zero-padded to a 32-bit boundary.
 */
import { ParseError } from '../../core/index.js';

export const RTCP_SR = 200;
export const RTCP_RR = 201;
export const RTCP_SDES = 202;
export const RTCP_BYE = 203;
/** RFC 3550 §6.5: SDES item type of the canonical name. */
export const SDES_CNAME = 1;

/** One reception report block (RFC 3550 §6.4.1). */
export interface RtcpReportBlock {
  readonly ssrc: number;
  /** Fraction lost since the previous report, as a fixed-point number over 256 (0..255). */
  readonly fractionLost: number;
  /** Signed 24-bit cumulative count (negative when duplicates outnumber losses). */
  readonly cumulativeLost: number;
  /** Cycles in the high 16 bits, highest sequence number in the low 16 bits. */
  readonly extendedHighestSeq: number;
  /** Interarrival jitter in timestamp units. */
  readonly jitter: number;
  /** Middle 32 bits of the NTP timestamp of the last SR received, or 0. */
  readonly lastSr: number;
  /** Delay since that SR in units of 1/65536 s, or 0. */
  readonly delaySinceLastSr: number;
}

export interface RtcpSenderReport {
  readonly type: 'sr';
  readonly ssrc: number;
  readonly ntpSeconds: number;
  readonly ntpFraction: number;
  readonly rtpTimestamp: number;
  readonly packetCount: number;
  readonly octetCount: number;
  readonly reports: readonly RtcpReportBlock[];
  /** Profile-specific extension words after the report blocks; usually empty. */
  readonly extension: Uint8Array;
}

export interface RtcpReceiverReport {
  readonly type: 'rr';
  readonly ssrc: number;
  readonly reports: readonly RtcpReportBlock[];
  readonly extension: Uint8Array;
}

export interface RtcpSdesItem {
  /** RFC 3550 §6.5 item type: 1 CNAME, 2 NAME, ... 8 PRIV. */
  readonly type: number;
  /** Item text decoded as UTF-8 (invalid sequences become U+FFFD). */
  readonly text: string;
}

export interface RtcpSdesChunk {
  readonly ssrc: number;
  readonly items: readonly RtcpSdesItem[];
}

export interface RtcpSourceDescription {
  readonly type: 'sdes';
  readonly chunks: readonly RtcpSdesChunk[];
}

export interface RtcpBye {
  readonly type: 'bye';
  readonly ssrcs: readonly number[];
  readonly reason: string | null;
}

/** Any other packet type (APP, feedback, XR, ...), kept as raw bytes after the common header. */
export interface RtcpUnknown {
  readonly type: 'unknown';
  readonly packetType: number;
  /** The 5-bit count field of the common header. */
  readonly count: number;
  /** Body after the 4-byte header, padding removed. */
  readonly body: Uint8Array;
}

export type RtcpPacket =
  RtcpSenderReport | RtcpReceiverReport | RtcpSourceDescription | RtcpBye | RtcpUnknown;

const utf8 = new TextDecoder('utf-8');

function readU32(buf: Uint8Array, at: number): number {
  return ((buf[at]! << 24) | (buf[at + 1]! << 16) | (buf[at + 2]! << 8) | buf[at + 3]!) >>> 0;
}

function parseReportBlocks(buf: Uint8Array, at: number, count: number): RtcpReportBlock[] {
  const blocks: RtcpReportBlock[] = [];
  for (let i = 0; i < count; i++, at += 24) {
    // RFC 3550 §6.4.1: cumulative lost is a signed 24-bit number; shift it through bit 31.
    const cumulative = (((buf[at + 5]! << 24) | (buf[at + 6]! << 16) | (buf[at + 7]! << 8)) >> 8) | 0;
    blocks.push({
      ssrc: readU32(buf, at),
      fractionLost: buf[at + 4]!,
      cumulativeLost: cumulative,
      extendedHighestSeq: readU32(buf, at + 8),
      jitter: readU32(buf, at + 12),
      lastSr: readU32(buf, at + 16),
      delaySinceLastSr: readU32(buf, at + 20),
    });
  }
  return blocks;
}

/** `start` and `end` bound one packet's body (after the common header, padding removed). */
function parseSdes(buf: Uint8Array, start: number, end: number, count: number): RtcpSourceDescription {
  const chunks: RtcpSdesChunk[] = [];
  let at = start;
  for (let c = 0; c < count; c++) {
    if (at + 4 > end) throw new ParseError(`SDES chunk ${c + 1} of ${count} is missing`, at);
    const ssrc = readU32(buf, at);
    at += 4;
    const items: RtcpSdesItem[] = [];
    for (;;) {
      if (at >= end) throw new ParseError('SDES chunk is not terminated by a null item', at);
      const itemType = buf[at]!;
      if (itemType === 0) {
        // RFC 3550 §6.5: the null item is followed by zero octets up to the next 32-bit boundary.
        at += 4 - ((at - start) % 4);
        break;
      }
      if (at + 2 > end) throw new ParseError('SDES item length runs past the packet', at);
      const valueEnd = at + 2 + buf[at + 1]!;
      if (valueEnd > end) throw new ParseError('SDES item text runs past the packet', at + 1);
      items.push({ type: itemType, text: utf8.decode(buf.subarray(at + 2, valueEnd)) });
      at = valueEnd;
    }
    chunks.push({ ssrc, items });
  }
  return { type: 'sdes', chunks };
}

function parseBye(buf: Uint8Array, start: number, end: number, count: number): RtcpBye {
  if (start + count * 4 > end) throw new ParseError(`BYE lists ${count} SSRCs that do not fit`, start);
  const ssrcs: number[] = [];
  for (let i = 0; i < count; i++) ssrcs.push(readU32(buf, start + i * 4));
  let reason: string | null = null;
  const at = start + count * 4;
  if (at < end) {
    // RFC 3550 §6.6: an optional length-prefixed reason follows the SSRC/CSRC list.
    const reasonEnd = at + 1 + buf[at]!;
    if (reasonEnd > end) throw new ParseError('BYE reason runs past the packet', at);
    reason = utf8.decode(buf.subarray(at + 1, reasonEnd));
  }
  return { type: 'bye', ssrcs, reason };
}

/**
 * Parses a compound RTCP datagram into its packets, in order. Packet order rules of RFC 3550
 * §6.1 (SR/RR first, CNAME present) are not enforced so reduced-size RTCP (RFC 5506) also parses.
 */
export function parseRtcp(buf: Uint8Array): RtcpPacket[] {
  const packets: RtcpPacket[] = [];
  if (buf.length === 0) throw new ParseError('empty RTCP datagram', 0);
  let offset = 0;
  while (offset < buf.length) {
    if (offset + 4 > buf.length) throw new ParseError('truncated RTCP common header', offset);
    const b0 = buf[offset]!;
    if (b0 >> 6 !== 2) throw new ParseError(`RTCP version ${b0 >> 6} is not 2`, offset);
    const count = b0 & 0x1f;
    const packetType = buf[offset + 1]!;
    const packetBytes = (((buf[offset + 2]! << 8) | buf[offset + 3]!) + 1) * 4;
    const packetEnd = offset + packetBytes;
    if (packetEnd > buf.length) {
      throw new ParseError(`RTCP packet of ${packetBytes} bytes runs past the datagram`, offset + 2);
    }
    const start = offset + 4;
    let end = packetEnd;
    if ((b0 & 0x20) !== 0) {
      // RFC 3550 §6.4.1: with P set, the last octet counts padding octets, itself included.
      const padBytes = buf[packetEnd - 1]!;
      if (padBytes === 0 || padBytes > packetEnd - start) {
        throw new ParseError(`RTCP padding count ${padBytes} does not fit the packet`, packetEnd - 1);
      }
      end = packetEnd - padBytes;
    }
    packets.push(parseOne(buf, packetType, count, start, end));
    offset = packetEnd;
  }
  return packets;
}

function parseOne(
  buf: Uint8Array,
  packetType: number,
  count: number,
  start: number,
  end: number,
): RtcpPacket {
  switch (packetType) {
    case RTCP_SR: {
      const blocksAt = start + 24;
      if (blocksAt + count * 24 > end) {
        throw new ParseError(`SR with ${count} report blocks does not fit`, start);
      }
      return {
        type: 'sr',
        ssrc: readU32(buf, start),
        ntpSeconds: readU32(buf, start + 4),
        ntpFraction: readU32(buf, start + 8),
        rtpTimestamp: readU32(buf, start + 12),
        packetCount: readU32(buf, start + 16),
        octetCount: readU32(buf, start + 20),
        reports: parseReportBlocks(buf, blocksAt, count),
        extension: buf.subarray(blocksAt + count * 24, end),
      };
    }
    case RTCP_RR: {
      const blocksAt = start + 4;
      if (blocksAt + count * 24 > end) {
        throw new ParseError(`RR with ${count} report blocks does not fit`, start);
      }
      return {
        type: 'rr',
        ssrc: readU32(buf, start),
        reports: parseReportBlocks(buf, blocksAt, count),
        extension: buf.subarray(blocksAt + count * 24, end),
      };
    }
    case RTCP_SDES:
      return parseSdes(buf, start, end, count);
    case RTCP_BYE:
      return parseBye(buf, start, end, count);
    default:
      return { type: 'unknown', packetType, count, body: buf.subarray(start, end) };
  }
}

/** The CNAME of the first SDES chunk for `ssrc`, or null. */
export function rtcpCname(packets: readonly RtcpPacket[], ssrc: number): string | null {
  for (const p of packets) {
    if (p.type !== 'sdes') continue;
    for (const chunk of p.chunks) {
      if (chunk.ssrc !== ssrc) continue;
      const item = chunk.items.find((i) => i.type === SDES_CNAME);
      if (item !== undefined) return item.text;
    }
  }
  return null;
}
