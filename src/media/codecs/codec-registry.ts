import type { G711Encoding } from './g711.js';

/** What the media path needs to know about an RTP audio codec. */
export interface CodecInfo {
  /** Encoding name as SDP writes it in `a=rtpmap` (RFC 3551 §4.5.14). */
  readonly name: string;
  /** Static RTP payload type (RFC 3551 table 4). */
  readonly payloadType: number;
  readonly encoding: G711Encoding;
  readonly clockRateHz: number;
  readonly channels: number;
}

const PCMU: CodecInfo = Object.freeze({
  name: 'PCMU',
  payloadType: 0,
  encoding: 'mulaw',
  clockRateHz: 8000,
  channels: 1,
});

const PCMA: CodecInfo = Object.freeze({
  name: 'PCMA',
  payloadType: 8,
  encoding: 'alaw',
  clockRateHz: 8000,
  channels: 1,
});

/** The codecs voxbridge speaks on the wire, in our order of preference for offers. */
export const G711_CODECS: readonly CodecInfo[] = Object.freeze([PCMU, PCMA]);

/** The codec with this static payload type, or undefined for dynamic or unknown types. */
export function codecForPayloadType(payloadType: number): CodecInfo | undefined {
  return G711_CODECS.find((c) => c.payloadType === payloadType);
}

/** The codec with this SDP encoding name. Encoding names are media subtype names, which RFC 4855 makes case-insensitive. */
export function codecForName(name: string): CodecInfo | undefined {
  const upper = name.toUpperCase();
  return G711_CODECS.find((c) => c.name === upper);
}
