import { codecForName } from '../../media/codecs/index.js';
import { decimalId, localConnection, localSession } from './answer-offer.js';
import type { G711CodecName, RtpPorts } from './negotiated-media.js';
import type { SdpAttribute, SdpDirection, SdpMedia, SdpSession } from './sdp-session.js';
import { InvalidArgumentError } from '../../core/index.js';

/** One audio stream of an offer we make. */
export interface OfferStream {
  readonly ports: RtpPorts;
  /** Default sendrecv; sendonly puts the peer on hold (RFC 3264 §8.4). */
  readonly direction?: SdpDirection;
  readonly label?: string;
  readonly mid?: string;
}

export interface OfferOptions {
  readonly address: string;
  readonly sessionId: string | number | bigint;
  /** For a re-offer: nextSessionVersion(previous) when anything changed (RFC 3264 §8). */
  readonly sessionVersion: string | number | bigint;
  readonly username?: string;
  readonly sessionName?: string;
  /** In our order of preference; default ['PCMU', 'PCMA']. */
  readonly codecs?: readonly G711CodecName[];
  /** Dynamic payload type for RFC 4733 events, or null for none; default 101. */
  readonly telephoneEventPayloadType?: number | null;
  readonly ptimeMs?: number;
  readonly streams: readonly OfferStream[];
}

function offerMedia(stream: OfferStream, options: OfferOptions): SdpMedia {
  const codecs = (options.codecs ?? ['PCMU', 'PCMA']).map((name) => {
    const codec = codecForName(name);
    if (!codec) throw new InvalidArgumentError(`codec ${name} is not G.711`);
    return codec;
  });
  const te = options.telephoneEventPayloadType === undefined ? 101 : options.telephoneEventPayloadType;
  if (te !== null && (!Number.isInteger(te) || te < 96 || te > 127)) {
    throw new InvalidArgumentError(`telephone-event payload type ${te} is not dynamic (96-127)`);
  }
  const formats = codecs.map((c) => String(c.payloadType));
  const attributes: SdpAttribute[] = codecs.map((c) => ({
    kind: 'rtpmap',
    payloadType: c.payloadType,
    encodingName: c.name,
    clockRateHz: c.clockRateHz,
    encodingParameters: null,
  }));
  if (te !== null) {
    formats.push(String(te));
    attributes.push(
      {
        kind: 'rtpmap',
        payloadType: te,
        encodingName: 'telephone-event',
        clockRateHz: 8000,
        encodingParameters: null,
      },
      { kind: 'fmtp', format: String(te), parameters: '0-15' },
    );
  }
  attributes.push({ kind: 'ptime', ptimeMs: options.ptimeMs ?? 20 });
  // RFC 3605 §2.1: a=rtcp only when RTCP is not on the RTP port + 1.
  if (stream.ports.rtcp !== stream.ports.rtp + 1) {
    attributes.push({ kind: 'rtcp', port: stream.ports.rtcp, connection: null });
  }
  if (stream.label !== undefined) attributes.push({ kind: 'label', label: stream.label });
  if (stream.mid !== undefined) attributes.push({ kind: 'mid', mid: stream.mid });
  attributes.push({ kind: 'direction', direction: stream.direction ?? 'sendrecv' });
  return {
    media: 'audio',
    port: stream.ports.rtp,
    portCount: null,
    proto: 'RTP/AVP',
    formats,
    information: null,
    connection: null,
    bandwidths: [],
    key: null,
    attributes,
  };
}

/**
 * An offer of G.711 audio streams (RFC 3264 §5), for a re-INVITE of ours (hold, resume) or an
 * outbound call. For a re-offer, pass the same streams in the same order as before (§8).
 */
export function createOffer(options: OfferOptions): SdpSession {
  if (options.streams.length === 0) throw new InvalidArgumentError('an offer needs at least one stream');
  const connection = localConnection(options.address);
  return localSession({
    connection,
    username: options.username,
    sessionName: options.sessionName,
    sessionId: decimalId(options.sessionId, 'sessionId'),
    sessionVersion: decimalId(options.sessionVersion, 'sessionVersion'),
    // RFC 3264 §5: t=0 0, a session that is not bounded in time.
    timings: [{ startTime: 0, stopTime: 0, repeats: [] }],
    media: options.streams.map((s) => offerMedia(s, options)),
  });
}
