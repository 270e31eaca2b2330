import { ParseError } from '../../core/index.js';
import type { SipRequest } from '../../sip/message/index.js';
import { getContacts, getHeader, getHeaders, splitList } from '../../sip/message/index.js';
import { parseSdp, sdpMediaView } from '../../sip/sdp/index.js';
import type { SdpSession } from '../../sip/sdp/index.js';
import type {
  AgentMatcher,
  InviteRecording,
  MLineAssignment,
  SessionParticipant,
} from '../../sip/siprec/index.js';
import { recordingSessionFromInvite } from '../../sip/siprec/index.js';

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
  const probe = recordingSessionFromInvite(contentType, request.body, []);
  if (probe.sdp === null) throw new ParseError('SIPREC INVITE without an SDP part', 0);
  const sdp = parseSdp(probe.sdp);
  const labels = sdp.media.map((_, i) => sdpMediaView(sdp, i).label);
  // The INVITE's own From is the SRC itself (the SBC), not the recorded caller, so it never
  // serves as `originalFrom`; only headers the SRC is configured to add do (see the options).
  const firstHeader = (names: readonly string[] | undefined): string | undefined =>
    (names ?? []).map((name) => getHeader(request, name)).find((v) => v !== undefined && v.trim() !== '');
  const originalFrom = firstHeader(options.recordedCallHeaders?.from);
  const originalTo = firstHeader(options.recordedCallHeaders?.to);
  const recording = recordingSessionFromInvite(contentType, request.body, labels, {
    ...(options.agentMatcher === undefined ? {} : { agentMatcher: options.agentMatcher }),
    ...(originalFrom === undefined ? {} : { originalFrom }),
    ...(originalTo === undefined ? {} : { originalTo }),
  });
  return { sdp, recording };
}

/** The participant who sends an m-line's stream, when exactly one does. */
export function senderOf(offer: SiprecOffer, mLine: MLineAssignment): SessionParticipant | undefined {
  if (mLine.participantIds.length !== 1) return undefined;
  const id = mLine.participantIds[0];
  return offer.recording.session.participants.find((p) => p.id === id);
}
