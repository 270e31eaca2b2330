import type {
  SdpAttribute,
  SdpConnection,
  SdpDirection,
  SdpMedia,
  SdpRtcp,
  SdpRtpMap,
  SdpSession,
} from './sdp-session.js';

/** One media description with session-level defaults applied: what the stream actually means. */
export interface SdpMediaView {
  readonly index: number;
  readonly media: SdpMedia;
  /** Media-level direction, else session-level, else sendrecv (RFC 3264 §5.1). */
  readonly direction: SdpDirection;
  /**
   * Media-level c=, else session-level (RFC 4566 §5.7); null when neither is there (parseSdp then
   * marks the m-line with a `defect`, and the answerer declines it).
   */
  readonly connection: SdpConnection | null;
  /**
   * True for RFC 2543 hold, a connection address of 0.0.0.0 (RFC 3264 §8.4 asks answerers to
   * understand it). We treat the IPv6 unspecified address `::` the same way, as deployed stacks do.
   */
  readonly connectionOnHold: boolean;
  /** a=ptime at media level, else session level (some stacks put it there), else null. */
  readonly ptimeMs: number | null;
  readonly maxptimeMs: number | null;
  readonly rtcp: SdpRtcp | null;
  readonly label: string | null;
  readonly mid: string | null;
  readonly rtpMaps: ReadonlyMap<number, SdpRtpMap>;
  /** fmtp parameters by format. */
  readonly fmtps: ReadonlyMap<string, string>;
}

function find<K extends SdpAttribute['kind']>(
  attributes: readonly SdpAttribute[],
  kind: K,
): Extract<SdpAttribute, { kind: K }> | undefined {
  return attributes.find((a): a is Extract<SdpAttribute, { kind: K }> => a.kind === kind);
}

/** The view of `session.media[index]`; RangeError when there is no such m-line. */
export function sdpMediaView(session: SdpSession, index: number): SdpMediaView {
  const media = session.media[index];
  if (!media) throw new RangeError(`no m-line ${index}`);
  const connection = media.connection ?? session.connection;
  const rtpMaps = new Map<number, SdpRtpMap>();
  const fmtps = new Map<string, string>();
  for (const a of media.attributes) {
    if (a.kind === 'rtpmap') rtpMaps.set(a.payloadType, a);
    else if (a.kind === 'fmtp') fmtps.set(a.format, a.parameters);
  }
  const direction =
    find(media.attributes, 'direction')?.direction ??
    find(session.attributes, 'direction')?.direction ??
    'sendrecv';
  return {
    index,
    media,
    direction,
    connection,
    connectionOnHold:
      connection !== null && (connection.address === '0.0.0.0' || connection.address === '::'),
    ptimeMs: (find(media.attributes, 'ptime') ?? find(session.attributes, 'ptime'))?.ptimeMs ?? null,
    maxptimeMs:
      (find(media.attributes, 'maxptime') ?? find(session.attributes, 'maxptime'))?.maxptimeMs ?? null,
    rtcp: find(media.attributes, 'rtcp') ?? null,
    label: find(media.attributes, 'label')?.label ?? null,
    mid: find(media.attributes, 'mid')?.mid ?? null,
    rtpMaps,
    fmtps,
  };
}
