/**
 * Turns recording metadata (or its absence) into the model the ingress needs: which stream each
 * m-line carries, who sends it, and whether that is the caller or the agent.
 *
 * Role rule (issue 10 point 2). The first step that tells the active participants apart decides
 * (it marks some but not all of them); `RecordingSession.roleSource` says which, and every
 * `leg.added` of the call carries it:
 *
 * 1. `vendor-marker`: the SRC names the caller itself. Oracle/Acme Packet `apkt:callingParty`
 *    marks participants; Ribbon/Sonus call data `fromhdr` (else `tohdr`, naming the callee) and
 *    BroadWorks/Webex Calling `callingPartyNumber` (else `calledPartyNumber`, else the direction
 *    hint: the recorded `userID` placed an `origCall` or received a `termCall`) name a party that
 *    we match against the participants' AoRs (see aorMatches). Marked or matched callers are callers,
 *    the others agents (or: the matched callee is the agent, the others callers).
 * 2. `recorded-call-parties`: the recorded call's own From (`originalFrom`), else its To
 *    (`originalTo`), matched against the participants the same way: from the options (an SRC
 *    configured to add them as headers of the recording INVITE), else from SIP headers the SRC
 *    copied into the metadata (Oracle `apkt:header label="From"`/`"To"`). (`sipSessionID` correlates the recording with the
 *    recorded call but names no party, so it decides nothing here.)
 * 3. `agent-pattern`: configuration, the AgentMatcher (AoR prefix, domain or pattern): matching
 *    participants are agents, the others callers.
 * 4. `label-order`: the sender of the first m-line's stream (m-line order when labels are known,
 *    else document order) is the caller, the next distinct sender the agent, any further one
 *    unknown. This is what most SRSs assume; it is wrong whenever the SRC puts the agent first
 *    (Ribbon does), which is why it comes last.
 * 5. `stream-order`: no participant sends anything (no metadata, e.g. Cisco CUBE network-based
 *    recording): `streamOrderRoles[i]` is the role of the i-th stream when configured.
 * 6. `none`: everything stays unknown.
 *
 * A stream is `mixed` when two or more participants send it, when a pre-RFC `<mode>` says mixed,
 * or when it is the only stream of the recording (one m-line cannot keep two parties apart, as in
 * Metaswitch's single mixed m-line). Otherwise it takes its sender's role, or `unknown`.
 * Participants whose association ended (disassociate-time) are kept but inactive and take no role.
 */
import type { AgentMatcher } from './aor-matches.js';
import { aorMatches, matchesAgent } from './aor-matches.js';
import type { RecordingMetadata, VendorCallIds } from './recording-metadata.js';

export type ParticipantRole = 'caller' | 'agent' | 'unknown';
export type StreamRole = ParticipantRole | 'mixed';
/** Which step of the role rule decided; `leg.added` carries it as `roleSource`. */
export type RoleRule =
  'vendor-marker' | 'recorded-call-parties' | 'agent-pattern' | 'label-order' | 'stream-order' | 'none';

/** The name `leg.added` uses for it. */
export type RoleSource = RoleRule;

export interface RoleOptions {
  /** Decides agents by AoR when neither vendor markers nor the recorded call's parties do. */
  readonly agentMatcher?: AgentMatcher;
  /** AoR, URI or From header value of the recorded call's caller (its From). */
  readonly originalFrom?: string;
  /** AoR, URI or To header value of the recorded call's called party (its To). */
  readonly originalTo?: string;
  /** Roles by stream position when nobody is known to send anything (no metadata). */
  readonly streamOrderRoles?: readonly ParticipantRole[];
}

export interface BuildRecordingSessionOptions extends RoleOptions {
  /** The SDP's `a=label` values in m-line order (null for an m-line without one). */
  readonly labelOrder?: readonly (string | null)[];
}

export interface SessionParticipant {
  readonly id: string;
  readonly aor: string | null;
  readonly name: string | null;
  readonly role: ParticipantRole;
  /** False once the participant's association with the session ended. */
  readonly active: boolean;
  /** Stream ids this participant sends, in stream order. */
  readonly sends: readonly string[];
}

export interface SessionStream {
  readonly id: string;
  readonly label: string | null;
  readonly sessionId: string | null;
  /** Active participants sending this stream. */
  readonly senderIds: readonly string[];
  readonly role: StreamRole;
  /** True when no metadata described this stream and it stands for an SDP m-line only. */
  readonly synthesized: boolean;
}

export interface RecordingSession {
  /** Recorded communication session ids (RFC 7865 session_id). */
  readonly sessionIds: readonly string[];
  /** Session-ID header values of the recorded call(s). */
  readonly sipSessionIds: readonly string[];
  readonly groupIds: readonly string[];
  readonly startTime: string | null;
  /** The latest stop-time of the recorded session(s), once every one has stopped. */
  readonly stopTime: string | null;
  readonly participants: readonly SessionParticipant[];
  /** In m-line order when labels are known, else document order. */
  readonly streams: readonly SessionStream[];
  readonly streamsByLabel: ReadonlyMap<string, SessionStream>;
  readonly vendorCallIds: VendorCallIds;
  /** The step of the role rule that decided (see the module comment). */
  readonly roleSource: RoleRule;
  /** The (merged) metadata this model was built from; null when the offer had none. */
  readonly metadata: RecordingMetadata | null;
  /** Kept so that metadata updates are decided by the same rule. */
  readonly options: BuildRecordingSessionOptions;
}

interface MutableStream {
  id: string;
  label: string | null;
  sessionId: string | null;
  mode: string | null;
  synthesized: boolean;
}

/** Builds the session model from complete metadata, or from SDP labels alone when it is null. */
export function buildRecordingSession(
  metadata: RecordingMetadata | null,
  options: BuildRecordingSessionOptions = {},
): RecordingSession {
  const labelOrder = options.labelOrder ?? [];
  const streams: MutableStream[] = (metadata?.streams ?? []).map((s) => ({
    ...s,
    synthesized: false,
  }));
  // Every m-line that no metadata stream claims still carries a stream (RFC 7866 lets
  // the SRC leave metadata out entirely); it gets an id made from its label or position.
  labelOrder.forEach((label, index) => {
    if (label !== null && streams.some((s) => s.label === label)) return;
    const id = label === null ? `m-line:${index}` : `label:${label}`;
    streams.push({ id, label, sessionId: null, mode: null, synthesized: true });
  });
  // Streams follow the m-lines; streams no m-line carries keep document order after them.
  const positions = new Map<MutableStream, number>();
  streams.forEach((s, documentIndex) => {
    const byLabel = s.label === null ? -1 : labelOrder.indexOf(s.label);
    const byIndex = s.id.startsWith('m-line:') ? Number(s.id.slice(7)) : -1;
    const at = byLabel >= 0 ? byLabel : byIndex;
    positions.set(s, at >= 0 ? at : labelOrder.length + documentIndex);
  });
  streams.sort((a, b) => (positions.get(a) ?? 0) - (positions.get(b) ?? 0));

  const inactive = new Set<string>();
  for (const p of metadata?.participants ?? []) if (p.disassociateTime !== null) inactive.add(p.id);
  for (const a of metadata?.participantSessionAssocs ?? []) {
    if (a.disassociateTime !== null) inactive.add(a.participantId);
    else if (a.associateTime !== null) inactive.delete(a.participantId);
  }
  const sendersOf = new Map<string, string[]>();
  for (const a of metadata?.participantStreamAssocs ?? []) {
    if (inactive.has(a.participantId)) continue;
    for (const streamId of a.send) {
      const senders = sendersOf.get(streamId) ?? [];
      if (!senders.includes(a.participantId)) senders.push(a.participantId);
      sendersOf.set(streamId, senders);
    }
  }
  const mixed = (s: MutableStream): boolean =>
    (sendersOf.get(s.id)?.length ?? 0) >= 2 || s.mode === 'mixed' || streams.length === 1;

  const participantsXml = metadata?.participants ?? [];
  const active = participantsXml.filter((p) => !inactive.has(p.id));
  const aorsOf = (id: string): string[] =>
    participantsXml.find((p) => p.id === id)?.nameIds.map((n) => n.aor) ?? [];
  const names = (party: string | null | undefined) => (id: string) =>
    party !== null && party !== undefined && party !== '' && aorsOf(id).some((aor) => aorMatches(aor, party));
  const roles = new Map<string, ParticipantRole>();
  const split = (isFirstGroup: (id: string) => boolean, first: ParticipantRole): boolean => {
    const inGroup = active.filter((p) => isFirstGroup(p.id));
    if (inGroup.length === 0 || inGroup.length === active.length) return false;
    const other: ParticipantRole = first === 'caller' ? 'agent' : 'caller';
    for (const p of active) roles.set(p.id, isFirstGroup(p.id) ? first : other);
    return true;
  };
  let roleSource: RoleRule = 'none';
  const { agentMatcher } = options;
  const originalFrom = options.originalFrom ?? metadata?.recordedCall.from ?? undefined;
  const originalTo = options.originalTo ?? metadata?.recordedCall.to ?? undefined;
  const calling = metadata?.callingParticipantIds ?? [];
  const parties = metadata?.callParties;
  if (
    split((id) => calling.includes(id), 'caller') ||
    split(names(parties?.caller), 'caller') ||
    split(names(parties?.callee), 'agent')
  ) {
    roleSource = 'vendor-marker';
  } else if (split(names(originalFrom), 'caller') || split(names(originalTo), 'agent')) {
    roleSource = 'recorded-call-parties';
  } else if (
    agentMatcher !== undefined &&
    split((id) => aorsOf(id).some((aor) => matchesAgent(agentMatcher, aor)), 'agent')
  ) {
    roleSource = 'agent-pattern';
  } else {
    const senders: string[] = [];
    for (const s of streams) {
      if (mixed(s)) continue;
      for (const id of sendersOf.get(s.id) ?? []) if (!senders.includes(id)) senders.push(id);
    }
    senders.forEach((id, i) => roles.set(id, i === 0 ? 'caller' : i === 1 ? 'agent' : 'unknown'));
    if (senders.length > 0) roleSource = 'label-order';
  }

  const anySender = streams.some((s) => (sendersOf.get(s.id)?.length ?? 0) > 0);
  const streamOrderRoles = options.streamOrderRoles ?? [];
  if (!anySender && roleSource === 'none' && streamOrderRoles.length > 0 && streams.length > 1) {
    roleSource = 'stream-order';
  }
  const sessionStreams: SessionStream[] = streams.map((s, index) => {
    const senderIds = sendersOf.get(s.id) ?? [];
    let role: StreamRole = 'unknown';
    if (mixed(s)) role = 'mixed';
    else if (senderIds[0] !== undefined) role = roles.get(senderIds[0]) ?? 'unknown';
    else if (roleSource === 'stream-order') role = streamOrderRoles[index] ?? 'unknown';
    return {
      id: s.id,
      label: s.label,
      sessionId: s.sessionId,
      senderIds,
      role,
      synthesized: s.synthesized,
    };
  });

  const participants: SessionParticipant[] = participantsXml.map((p) => ({
    id: p.id,
    aor: p.nameIds[0]?.aor ?? null,
    name: p.nameIds.flatMap((n) => n.names)[0]?.text ?? null,
    role: roles.get(p.id) ?? 'unknown',
    active: !inactive.has(p.id),
    sends: sessionStreams.filter((s) => s.senderIds.includes(p.id)).map((s) => s.id),
  }));
  const streamsByLabel = new Map<string, SessionStream>();
  for (const s of sessionStreams) {
    if (s.label !== null && !streamsByLabel.has(s.label)) streamsByLabel.set(s.label, s);
  }
  const sessions = metadata?.sessions ?? [];
  const stopTimes = sessions.map((s) => s.stopTime);
  const allStopped = sessions.length > 0 && stopTimes.every((t) => t !== null);
  return {
    sessionIds: sessions.map((s) => s.id),
    sipSessionIds: sessions.flatMap((s) => s.sipSessionIds),
    groupIds: (metadata?.groups ?? []).map((g) => g.id),
    startTime: sessions.find((s) => s.startTime !== null)?.startTime ?? null,
    stopTime: allStopped ? ([...stopTimes].sort().at(-1) ?? null) : null,
    participants,
    streams: sessionStreams,
    streamsByLabel,
    vendorCallIds: metadata?.vendorCallIds ?? {},
    roleSource,
    metadata,
    options,
  };
}
