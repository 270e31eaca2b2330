/*
 * RTP fixed header, RFC 3550 §5.1:
 *
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |V=2|P|X|  CC   |M|     PT      |       sequence number         |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                           timestamp                           |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |           synchronization source (SSRC) identifier            |
 * +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
 * |            contributing source (CSRC) identifiers             |
 * |                             ....                              |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * Header extension, RFC 3550 §5.3.1 (present when X = 1):
 *
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |      defined by profile       |           length              |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                        header extension                       |
 * |                             ....                              |
 *
 * Then the payload, then (when P = 1) padding whose last octet counts the padding octets.
 */
import { InvalidArgumentError, ParseError } from '../../core/index.js';

/** RTP header extension (RFC 3550 §5.3.1). RFC 8285 one/two-byte elements stay raw in `data`. */
export interface RtpHeaderExtension {
  /** The 16-bit "defined by profile" field, e.g. 0xBEDE for RFC 8285 one-byte elements. */
  readonly profile: number;
  /** Extension body without the 4-byte extension header; its length is a multiple of 4. */
  readonly data: Uint8Array;
}

/** One RTP packet. Byte fields are views into the parsed buffer, never copies. */
export interface RtpPacket {
  readonly marker: boolean;
  /** 0..127. */
  readonly payloadType: number;
  /** 0..65535. */
  readonly sequenceNumber: number;
  /** Unsigned 32-bit media timestamp. */
  readonly timestamp: number;
  /** Unsigned 32-bit synchronization source. */
  readonly ssrc: number;
  /** Unsigned 32-bit contributing sources, at most 15. */
  readonly csrcs: readonly number[];
  readonly extension: RtpHeaderExtension | null;
  readonly payload: Uint8Array;
  /**
   * Padding octets including the trailing count octet, or null when P = 0. On serialize the
   * bytes are written as given except the last, which is forced to the padding length.
   */
  readonly padding: Uint8Array | null;
}

export const RTP_VERSION = 2;
export const RTP_FIXED_HEADER_BYTES = 12;

/** Shared so that the common CC = 0 case allocates nothing. */
const NO_CSRCS: readonly number[] = Object.freeze([]);

function readU32(buf: Uint8Array, at: number): number {
  return ((buf[at]! << 24) | (buf[at + 1]! << 16) | (buf[at + 2]! << 8) | buf[at + 3]!) >>> 0;
}

/** Parses one RTP packet. Throws ParseError for anything that is not a well-formed RTP packet. */
export function parseRtp(buf: Uint8Array): RtpPacket {
  const length = buf.length;
  if (length < RTP_FIXED_HEADER_BYTES) {
    throw new ParseError(`RTP packet of ${length} bytes is shorter than the 12-byte fixed header`, length);
  }
  const b0 = buf[0]!;
  const b1 = buf[1]!;
  // RFC 3550 §5.1: the version field is 2 for this specification.
  if (b0 >> 6 !== RTP_VERSION) {
    throw new ParseError(`RTP version ${b0 >> 6} is not 2`, 0);
  }
  const hasPadding = (b0 & 0x20) !== 0;
  const hasExtension = (b0 & 0x10) !== 0;
  const csrcCount = b0 & 0x0f;

  let offset = RTP_FIXED_HEADER_BYTES;
  let csrcs = NO_CSRCS;
  if (csrcCount > 0) {
    if (offset + csrcCount * 4 > length) {
      throw new ParseError(`CSRC count ${csrcCount} runs past the end of the packet`, offset);
    }
    const list: number[] = [];
    for (let i = 0; i < csrcCount; i++) list.push(readU32(buf, offset + i * 4));
    csrcs = list;
    offset += csrcCount * 4;
  }

  let extension: RtpHeaderExtension | null = null;
  if (hasExtension) {
    if (offset + 4 > length) {
      throw new ParseError('RTP header extension header runs past the end of the packet', offset);
    }
    // RFC 3550 §5.3.1: the length counts 32-bit words after the 4-byte extension header.
    const extBytes = ((buf[offset + 2]! << 8) | buf[offset + 3]!) * 4;
    if (offset + 4 + extBytes > length) {
      throw new ParseError(`RTP header extension of ${extBytes} bytes runs past the end`, offset + 2);
    }
    extension = {
      profile: (buf[offset]! << 8) | buf[offset + 1]!,
      data: buf.subarray(offset + 4, offset + 4 + extBytes),
    };
    offset += 4 + extBytes;
  }

  let payloadEnd = length;
  let padding: Uint8Array | null = null;
  if (hasPadding) {
    // RFC 3550 §5.1: the last octet of the padding counts the padding octets, itself included.
    const padBytes = buf[length - 1]!;
    if (padBytes === 0 || padBytes > length - offset) {
      throw new ParseError(`RTP padding count ${padBytes} does not fit the packet`, length - 1);
    }
    payloadEnd = length - padBytes;
    padding = buf.subarray(payloadEnd, length);
  }

  return {
    marker: (b1 & 0x80) !== 0,
    payloadType: b1 & 0x7f,
    sequenceNumber: (buf[2]! << 8) | buf[3]!,
    timestamp: readU32(buf, 4),
    ssrc: readU32(buf, 8),
    csrcs,
    extension,
    payload: buf.subarray(offset, payloadEnd),
    padding,
  };
}

/** Bytes that `serializeRtp` will produce for the packet. */
export function rtpPacketBytes(p: RtpPacket): number {
  return (
    RTP_FIXED_HEADER_BYTES +
    p.csrcs.length * 4 +
    (p.extension === null ? 0 : 4 + p.extension.data.length) +
    p.payload.length +
    (p.padding === null ? 0 : p.padding.length)
  );
}

function checkUint(value: number, max: number, name: string): void {
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw new InvalidArgumentError(`RTP ${name} ${value} is outside 0..${max}`);
  }
}

function writeU32(out: Uint8Array, at: number, value: number): void {
  out[at] = value >>> 24;
  out[at + 1] = (value >>> 16) & 0xff;
  out[at + 2] = (value >>> 8) & 0xff;
  out[at + 3] = value & 0xff;
}

/**
 * Writes the packet into `out` at `offset` and returns the number of bytes written. This is the
 * send path: it allocates nothing. Throws InvalidArgumentError for out-of-range fields or when
 * `out` is too small.
 */
export function serializeRtpInto(p: RtpPacket, out: Uint8Array, offset: number): number {
  checkUint(p.payloadType, 0x7f, 'payload type');
  checkUint(p.sequenceNumber, 0xffff, 'sequence number');
  checkUint(p.timestamp, 0xffffffff, 'timestamp');
  checkUint(p.ssrc, 0xffffffff, 'SSRC');
  const csrcCount = p.csrcs.length;
  if (csrcCount > 15) throw new InvalidArgumentError(`RTP allows at most 15 CSRCs, got ${csrcCount}`);
  const ext = p.extension;
  if (ext !== null) {
    checkUint(ext.profile, 0xffff, 'extension profile');
    if (ext.data.length % 4 !== 0 || ext.data.length > 0xffff * 4) {
      throw new InvalidArgumentError(`RTP extension data of ${ext.data.length} bytes is not a word count`);
    }
  }
  const pad = p.padding;
  if (pad !== null && (pad.length === 0 || pad.length > 255)) {
    throw new InvalidArgumentError(`RTP padding of ${pad.length} bytes is outside 1..255`);
  }
  const total = rtpPacketBytes(p);
  if (!Number.isInteger(offset) || offset < 0 || offset + total > out.length) {
    throw new InvalidArgumentError(`RTP packet of ${total} bytes does not fit at offset ${offset}`);
  }

  out[offset] = (RTP_VERSION << 6) | (pad === null ? 0 : 0x20) | (ext === null ? 0 : 0x10) | csrcCount;
  out[offset + 1] = (p.marker ? 0x80 : 0) | p.payloadType;
  out[offset + 2] = p.sequenceNumber >>> 8;
  out[offset + 3] = p.sequenceNumber & 0xff;
  writeU32(out, offset + 4, p.timestamp);
  writeU32(out, offset + 8, p.ssrc);
  let at = offset + RTP_FIXED_HEADER_BYTES;
  for (let i = 0; i < csrcCount; i++) {
    const csrc = p.csrcs[i]!;
    checkUint(csrc, 0xffffffff, 'CSRC');
    writeU32(out, at, csrc);
    at += 4;
  }
  if (ext !== null) {
    out[at] = ext.profile >>> 8;
    out[at + 1] = ext.profile & 0xff;
    const words = ext.data.length / 4;
    out[at + 2] = words >>> 8;
    out[at + 3] = words & 0xff;
    out.set(ext.data, at + 4);
    at += 4 + ext.data.length;
  }
  out.set(p.payload, at);
  at += p.payload.length;
  if (pad !== null) {
    out.set(pad, at);
    at += pad.length;
    // RFC 3550 §5.1: the last padding octet must hold the padding count.
    out[at - 1] = pad.length;
  }
  return total;
}

/** Serializes the packet into a new buffer of exactly the right size. */
export function serializeRtp(p: RtpPacket): Uint8Array {
  const out = new Uint8Array(rtpPacketBytes(p));
  serializeRtpInto(p, out, 0);
  return out;
}

/**
 * Cheap demultiplexing check for RTP and RTCP sharing one port. RFC 5761 §4: RTCP packet types
 * 192..223 occupy the second octet, which RTP would read as marker = 1 with payload type 64..95,
 * a range RTP payload types must avoid when multiplexing. Does not validate the packet.
 */
export function isRtcp(buf: Uint8Array): boolean {
  if (buf.length < 4 || buf[0]! >> 6 !== RTP_VERSION) return false;
  const b1 = buf[1]!;
  return b1 >= 192 && b1 <= 223;
}
