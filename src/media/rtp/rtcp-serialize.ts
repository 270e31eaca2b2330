import { InvalidArgumentError } from '../../core/index.js';
import type { RtcpPacket, RtcpReportBlock } from './rtcp-packet.js';
import { RTCP_BYE, RTCP_RR, RTCP_SDES, RTCP_SR } from './rtcp-packet.js';

// Layouts are drawn in rtcp-packet.ts; this file writes the same layouts without padding.

const utf8 = new TextEncoder();

function checkUint(value: number, max: number, name: string): void {
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw new InvalidArgumentError(`RTCP ${name} ${value} is outside 0..${max}`);
  }
}

function checkCount(count: number, what: string): void {
  // RFC 3550 §6.4.1: RC and SC are five bits wide.
  if (count > 31) throw new InvalidArgumentError(`RTCP allows at most 31 ${what} per packet, got ${count}`);
}

/** Encodes item and reason texts up front so sizes are known before writing. */
function encodeText(text: string, what: string): Uint8Array {
  const bytes = utf8.encode(text);
  if (bytes.length > 255) throw new InvalidArgumentError(`RTCP ${what} is ${bytes.length} bytes, max 255`);
  return bytes;
}

interface Writer {
  buf: Uint8Array;
  at: number;
}

function u32(w: Writer, value: number, name: string): void {
  checkUint(value, 0xffffffff, name);
  w.buf[w.at] = value >>> 24;
  w.buf[w.at + 1] = (value >>> 16) & 0xff;
  w.buf[w.at + 2] = (value >>> 8) & 0xff;
  w.buf[w.at + 3] = value & 0xff;
  w.at += 4;
}

function header(w: Writer, count: number, packetType: number, bytes: number): void {
  const words = bytes / 4 - 1;
  if (words > 0xffff) throw new InvalidArgumentError(`RTCP packet of ${bytes} bytes is too long`);
  w.buf[w.at] = 0x80 | count;
  w.buf[w.at + 1] = packetType;
  w.buf[w.at + 2] = words >>> 8;
  w.buf[w.at + 3] = words & 0xff;
  w.at += 4;
}

function reportBlocks(w: Writer, blocks: readonly RtcpReportBlock[]): void {
  for (const b of blocks) {
    u32(w, b.ssrc, 'report SSRC');
    checkUint(b.fractionLost, 0xff, 'fraction lost');
    if (!Number.isInteger(b.cumulativeLost) || b.cumulativeLost < -0x800000 || b.cumulativeLost > 0x7fffff) {
      throw new InvalidArgumentError(`RTCP cumulative lost ${b.cumulativeLost} is not a signed 24-bit value`);
    }
    // RFC 3550 §6.4.1: fraction lost (8 bits) then cumulative lost (signed 24 bits) in one word.
    u32(w, ((b.fractionLost << 24) | (b.cumulativeLost & 0xffffff)) >>> 0, 'loss word');
    u32(w, b.extendedHighestSeq, 'extended highest sequence number');
    u32(w, b.jitter, 'jitter');
    u32(w, b.lastSr, 'LSR');
    u32(w, b.delaySinceLastSr, 'DLSR');
  }
}

function checkExtension(ext: Uint8Array): void {
  if (ext.length % 4 !== 0) throw new InvalidArgumentError('RTCP profile extension must be whole words');
}

/** Size in bytes of one packet, and the pre-encoded texts it needs. */
function measure(p: RtcpPacket, texts: Uint8Array[][]): number {
  switch (p.type) {
    case 'sr':
      checkCount(p.reports.length, 'report blocks');
      checkExtension(p.extension);
      return 28 + p.reports.length * 24 + p.extension.length;
    case 'rr':
      checkCount(p.reports.length, 'report blocks');
      checkExtension(p.extension);
      return 8 + p.reports.length * 24 + p.extension.length;
    case 'sdes': {
      checkCount(p.chunks.length, 'SDES chunks');
      let bytes = 4;
      for (const chunk of p.chunks) {
        const encoded = chunk.items.map((i) => encodeText(i.text, 'SDES item'));
        texts.push(encoded);
        let chunkBytes = 4;
        for (const e of encoded) chunkBytes += 2 + e.length;
        // RFC 3550 §6.5: at least one null octet, then zeros to the next 32-bit boundary.
        bytes += chunkBytes + (4 - (chunkBytes % 4));
      }
      return bytes;
    }
    case 'bye': {
      checkCount(p.ssrcs.length, 'BYE SSRCs');
      let bytes = 4 + p.ssrcs.length * 4;
      if (p.reason !== null) {
        const reason = encodeText(p.reason, 'BYE reason');
        texts.push([reason]);
        bytes += Math.ceil((1 + reason.length) / 4) * 4;
      }
      return bytes;
    }
    case 'unknown':
      checkCount(p.count, 'count');
      checkUint(p.packetType, 0xff, 'packet type');
      if (p.body.length % 4 !== 0) throw new InvalidArgumentError('RTCP packet body must be whole words');
      return 4 + p.body.length;
  }
}

/**
 * Serializes RTCP packets into one compound datagram (RFC 3550 §6.1). Throws
 * InvalidArgumentError for fields that do not fit their wire widths. Never writes padding.
 */
export function serializeRtcp(packets: readonly RtcpPacket[]): Uint8Array {
  const texts: Uint8Array[][] = [];
  const sizes = packets.map((p) => measure(p, texts));
  const w: Writer = { buf: new Uint8Array(sizes.reduce((a, b) => a + b, 0)), at: 0 };
  let textIndex = 0;
  packets.forEach((p, i) => {
    const bytes = sizes[i]!;
    const end = w.at + bytes;
    switch (p.type) {
      case 'sr':
        header(w, p.reports.length, RTCP_SR, bytes);
        u32(w, p.ssrc, 'SSRC');
        u32(w, p.ntpSeconds, 'NTP seconds');
        u32(w, p.ntpFraction, 'NTP fraction');
        u32(w, p.rtpTimestamp, 'RTP timestamp');
        u32(w, p.packetCount, 'packet count');
        u32(w, p.octetCount, 'octet count');
        reportBlocks(w, p.reports);
        w.buf.set(p.extension, w.at);
        break;
      case 'rr':
        header(w, p.reports.length, RTCP_RR, bytes);
        u32(w, p.ssrc, 'SSRC');
        reportBlocks(w, p.reports);
        w.buf.set(p.extension, w.at);
        break;
      case 'sdes':
        header(w, p.chunks.length, RTCP_SDES, bytes);
        for (const chunk of p.chunks) {
          const chunkStart = w.at;
          u32(w, chunk.ssrc, 'SSRC');
          const encoded = texts[textIndex++]!;
          chunk.items.forEach((item, k) => {
            const text = encoded[k]!;
            checkUint(item.type, 0xff, 'SDES item type');
            if (item.type === 0) throw new InvalidArgumentError('SDES item type 0 is the end marker');
            w.buf[w.at] = item.type;
            w.buf[w.at + 1] = text.length;
            w.buf.set(text, w.at + 2);
            w.at += 2 + text.length;
          });
          // The buffer is zero-filled, so skipping over the terminator writes the null octets.
          w.at += 4 - ((w.at - chunkStart) % 4);
        }
        break;
      case 'bye':
        header(w, p.ssrcs.length, RTCP_BYE, bytes);
        for (const ssrc of p.ssrcs) u32(w, ssrc, 'SSRC');
        if (p.reason !== null) {
          const reason = texts[textIndex++]![0]!;
          w.buf[w.at] = reason.length;
          w.buf.set(reason, w.at + 1);
        }
        break;
      case 'unknown':
        header(w, p.count, p.packetType, bytes);
        w.buf.set(p.body, w.at);
        break;
    }
    w.at = end;
  });
  return w.buf;
}
