/**
 * One entry point for a SIPREC INVITE body (RFC 7866): a multipart/mixed body with the SDP and
 * an `application/rs-metadata+xml` part, or an SDP alone (Cisco CUBE network-based recording sends
 * no metadata). The SDP itself is parsed elsewhere; the caller passes its m-line labels in order,
 * and gets back what each m-line carries.
 */
import { ParseError } from '../../core/index.js';
import type {
  BuildRecordingSessionOptions,
  RecordingSession,
  RoleOptions,
  StreamRole,
} from './build-recording-session.js';
import { buildRecordingSession } from './build-recording-session.js';
import { parseMediaType } from './parse-media-type.js';
import type { MultipartPart } from './parse-multipart.js';
import { parseMultipart } from './parse-multipart.js';
import { parseRecordingMetadata } from './parse-recording-metadata.js';
import type { RecordingMetadata } from './recording-metadata.js';

/** What one SDP m-line of the offer carries. */
export interface MLineAssignment {
  /** 0-based m-line index. */
  readonly index: number;
  readonly label: string | null;
  readonly streamId: string;
  /** Participants sending on this m-line (two or more for a mixed stream). */
  readonly participantIds: readonly string[];
  readonly role: StreamRole;
}

export interface InviteRecording {
  readonly session: RecordingSession;
  readonly metadata: RecordingMetadata | null;
  /** The SDP octets, to hand to the SDP parser; null when the body has no SDP part. */
  readonly sdp: Uint8Array | null;
  readonly mLines: readonly MLineAssignment[];
}

// RFC 7866 registers application/rs-metadata+xml; pre-RFC SRCs (Oracle, Sonus, CUBE)
// label the part application/rs-metadata.
const METADATA_TYPES = new Set(['application/rs-metadata+xml', 'application/rs-metadata']);

/**
 * The SDP octets of a SIPREC body: the body itself for `application/sdp`, the `application/sdp`
 * part of a multipart, null when there is none (metadata alone: an offerless INVITE or a
 * metadata-only update). Reads no metadata, so a caller that only needs the SDP, or to know there
 * is none, does not parse the XML. Throws ParseError as recordingSessionFromInvite does.
 */
export function sdpOfRecordingBody(contentType: string, body: Uint8Array): Uint8Array | null {
  const mediaType = parseMediaType(contentType);
  if (mediaType.essence === 'application/sdp') return body;
  if (METADATA_TYPES.has(mediaType.essence)) return null;
  if (mediaType.type === 'multipart') {
    return parseMultipart(body, contentType).find((p) => p.contentType === 'application/sdp')?.body ?? null;
  }
  throw new ParseError(`not a SIPREC body: ${mediaType.essence}`, 0);
}

/**
 * Reads the body of a SIPREC INVITE. `sdpLabels[i]` is the `a=label` of m-line i (null or '' when
 * it has none). Throws ParseError for a malformed body or metadata.
 */
export function recordingSessionFromInvite(
  contentType: string,
  body: Uint8Array,
  sdpLabels: readonly (string | null | undefined)[],
  options: RoleOptions = {},
): InviteRecording {
  const mediaType = parseMediaType(contentType);
  let sdp: Uint8Array | null = null;
  let metadata: RecordingMetadata | null = null;
  if (mediaType.essence === 'application/sdp') {
    sdp = body;
  } else if (METADATA_TYPES.has(mediaType.essence)) {
    metadata = parseRecordingMetadata(body);
  } else if (mediaType.type === 'multipart') {
    const parts = parseMultipart(body, contentType);
    const sdpPart = parts.find((p) => p.contentType === 'application/sdp');
    const metadataPart = parts.find((p) => METADATA_TYPES.has(p.contentType));
    sdp = sdpPart?.body ?? null;
    if (metadataPart !== undefined) {
      metadata = parseRecordingMetadata(metadataPart.body, {
        baseOffset: offsetIn(body, metadataPart),
      });
    }
  } else {
    throw new ParseError(`not a SIPREC body: ${mediaType.essence}`, 0);
  }
  const labelOrder = sdpLabels.map((l) => (l === undefined || l === null || l === '' ? null : l));
  const buildOptions: BuildRecordingSessionOptions = { ...options, labelOrder };
  const session = buildRecordingSession(metadata, buildOptions);
  const mLines = labelOrder.map((label, index): MLineAssignment => {
    const stream =
      (label === null ? undefined : session.streamsByLabel.get(label)) ??
      session.streams.find((s) => s.id === `m-line:${index}`);
    return {
      index,
      label,
      streamId: stream?.id ?? `m-line:${index}`,
      participantIds: stream?.senderIds ?? [],
      role: stream?.role ?? 'unknown',
    };
  });
  return { session, metadata, sdp, mLines };
}

function offsetIn(body: Uint8Array, part: MultipartPart): number {
  return part.body.buffer === body.buffer ? part.body.byteOffset - body.byteOffset : 0;
}
