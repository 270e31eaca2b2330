import { ParseError } from '../../core/index.js';
import type { SipRequest } from '../../sip/message/index.js';
import { getContacts, getHeader, getHeaders, splitList } from '../../sip/message/index.js';
import { parseSdp, sdpMediaView } from '../../sip/sdp/index.js';
import type { SdpSession } from '../../sip/sdp/index.js';
import type {
  AgentMatcher,
  InviteRecording,
  MLineAssignment,
  RoleOptions,
  SessionParticipant,
} from '../../sip/siprec/index.js';
import { recordingSessionFromInvite, sdpOfRecordingBody } from '../../sip/siprec/index.js';

/** A SIPREC offer, read: the SDP to answer and what each of its m-lines carries. */
export interface SiprecOffer {
  readonly sdp: SdpSession;
  readonly recording: InviteRecording;
}

export interface SiprecOfferOptions {
  /** Decides which participants are agents (AoR patterns); see sip/siprec's role rule. */
  readonly agentMatcher?: AgentMatcher;
  /**
   * Names of headers on the recording INVITE in which the SRC passes the recorded call's From
   * and To (SBCs can be configured to add them, e.g. `X-Original-From`); the first present wins.
   * They feed the role rule's `recorded-call-parties` step.
   */
  readonly recordedCallHeaders?: { readonly from?: readonly string[]; readonly to?: readonly string[] };
}

/**
 * RFC 7866 §6.1.1: a recording session INVITE carries `Require: siprec` and a Contact with the
 * `+sip.src` feature tag. Some SRCs send only one of the two (or only a multipart body with
 * metadata), so any of them makes it a SIPREC call.
 */
export function isSiprecInvite(request: SipRequest): boolean {
  const required = getHeaders(request, 'Require').flatMap((v) => splitList(v));
  if (required.some((tag) => tag.trim().toLowerCase() === 'siprec')) return true;
  try {
    if (
      getContacts(request).some((c) => c !== '*' && c.params.some((p) => p.name.toLowerCase() === '+sip.src'))
    ) {
      return true;
    }
  } catch (error) {
    if (!(error instanceof ParseError)) throw error;
  }
  const contentType = getHeader(request, 'Content-Type') ?? '';
  return (
    /^\s*multipart\/mixed/i.test(contentType) && /rs-metadata/i.test(new TextDecoder().decode(request.body))
  );
}

/**
 * Reads a SIPREC INVITE body (multipart with metadata, or an SDP alone as Cisco CUBE sends for
 * network-based recording) into the SDP to answer and the role of every m-line. Throws
 * ParseError for a malformed body, SDP or metadata.
 */
export function readSiprecOffer(request: SipRequest, options: SiprecOfferOptions = {}): SiprecOffer {
  const contentType = getHeader(request, 'Content-Type');
  if (contentType === undefined) throw new ParseError('SIPREC INVITE without a body', 0);
  // The SDP is needed first for its labels, so find it, then let sip/siprec read the whole body.
  const sdpBytes = sdpOfRecordingBody(contentType, request.body);
  if (sdpBytes === null) throw new ParseError('SIPREC INVITE without an SDP part', 0);
  const sdp = parseSdp(sdpBytes);
  const labels = sdp.media.map((_, i) => sdpMediaView(sdp, i).label);
  const recording = recordingSessionFromInvite(
    contentType,
    request.body,
    labels,
    roleOptionsFor(request, options),
  );
  return { sdp, recording };
}

/**
 * The role rule's inputs for one recording INVITE (or update): the configured agent matcher, and
 * the recorded call's From and To when the SRC passes them in headers it is configured to add.
 * The INVITE's own From is the SRC itself (the SBC), not the recorded caller, so it never serves
 * as `originalFrom`.
 */
function roleOptionsFor(request: SipRequest, options: SiprecOfferOptions): RoleOptions {
  const firstHeader = (names: readonly string[] | undefined): string | undefined =>
    (names ?? []).map((name) => getHeader(request, name)).find((v) => v !== undefined && v.trim() !== '');
  const originalFrom = firstHeader(options.recordedCallHeaders?.from);
  const originalTo = firstHeader(options.recordedCallHeaders?.to);
  return {
    ...(options.agentMatcher === undefined ? {} : { agentMatcher: options.agentMatcher }),
    ...(originalFrom === undefined ? {} : { originalFrom }),
    ...(originalTo === undefined ? {} : { originalTo }),
  };
}

/** The participant who sends an m-line's stream, when exactly one does. */
export function senderOf(offer: SiprecOffer, mLine: MLineAssignment): SessionParticipant | undefined {
  if (mLine.participantIds.length !== 1) return undefined;
  const id = mLine.participantIds[0];
  return offer.recording.session.participants.find((p) => p.id === id);
}

/** m-lines we offer to an offerless SIPREC INVITE whose metadata describes no stream: caller, agent. */
const DEFAULT_OFFERLESS_LABELS = ['1', '2'];
/** RFC 4574 `pointer` = token (RFC 4566 token characters), bounded. */
const LABEL_TOKEN = /^[!#$%&'*+\-.0-9A-Z^_`a-z{|}~]{1,64}$/;

/**
 * True when a SIPREC INVITE carries no SDP offer: no body at all, or metadata without an SDP part
 * (Cisco CUCM built-in-bridge recording). The SRS then offers in its 2xx and takes the answer
 * from the ACK (RFC 3261 §13.2.1, §13.3.1). Throws ParseError for a body that cannot be read.
 */
export function isOfferlessSiprec(request: SipRequest): boolean {
  if (request.body.length === 0) return true;
  const contentType = getHeader(request, 'Content-Type');
  if (contentType === undefined) return false;
  return sdpOfRecordingBody(contentType, request.body) === null;
}

/**
 * The a=label of each m-line we offer to an offerless SIPREC INVITE: one per stream its metadata
 * describes (RFC 7865 §6.7 stream labels, in document order, each once), else two, "1" and "2".
 */
export function offerlessSiprecLabels(request: SipRequest): string[] {
  const contentType = getHeader(request, 'Content-Type');
  if (request.body.length === 0 || contentType === undefined) return [...DEFAULT_OFFERLESS_LABELS];
  const { session } = recordingSessionFromInvite(contentType, request.body, []);
  const labels: string[] = [];
  for (const stream of session.streams) {
    // RFC 4574 §4: a label is a token, written into our SDP as it is; a stream whose label could
    // not be (spaces, control characters) cannot be matched to an m-line and is not offered.
    const label = stream.label;
    if (label !== null && LABEL_TOKEN.test(label) && !labels.includes(label)) labels.push(label);
  }
  return labels.length > 0 ? labels : [...DEFAULT_OFFERLESS_LABELS];
}

/**
 * The SiprecOffer of an offerless SIPREC INVITE once our offer is written: the metadata (if the
 * INVITE carried any) resolved against the labels of our m-lines, exactly as for an INVITE that
 * offered them; without metadata, streams stand for our m-lines and roles follow label order.
 */
export function readOfferlessSiprec(
  request: SipRequest,
  offer: SdpSession,
  options: SiprecOfferOptions = {},
): SiprecOffer {
  const labels = offer.media.map((_, i) => sdpMediaView(offer, i).label);
  const roleOptions = roleOptionsFor(request, options);
  const contentType = getHeader(request, 'Content-Type');
  const recording =
    request.body.length === 0 || contentType === undefined
      ? recordingSessionFromInvite('application/sdp', new Uint8Array(0), labels, roleOptions)
      : recordingSessionFromInvite(contentType, request.body, labels, roleOptions);
  return { sdp: offer, recording };
}

/**
 * A re-INVITE's or UPDATE's SIPREC body that carries recording metadata and no SDP (RFC 7866
 * §7.1.2: an SRC may update the metadata alone, in any dialect): the update to fold in, against
 * the SDP already in force. Undefined when the body has an SDP part (an ordinary re-offer).
 * Throws ParseError for a body with neither.
 */
export function readSiprecMetadataUpdate(
  request: SipRequest,
  current: SdpSession,
  options: SiprecOfferOptions = {},
): SiprecOffer | undefined {
  const contentType = getHeader(request, 'Content-Type');
  if (contentType === undefined || request.body.length === 0) return undefined;
  // An ordinary re-offer (SDP present) is read by readSiprecOffer: no metadata parsed here for it.
  if (sdpOfRecordingBody(contentType, request.body) !== null) return undefined;
  const labels = current.media.map((_, i) => sdpMediaView(current, i).label);
  const recording = recordingSessionFromInvite(
    contentType,
    request.body,
    labels,
    roleOptionsFor(request, options),
  );
  if (recording.metadata === null) {
    throw new ParseError('a SIPREC update without SDP must carry recording metadata', 0);
  }
  return { sdp: current, recording };
}
