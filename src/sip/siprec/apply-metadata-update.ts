/**
 * Metadata updates in re-INVITEs and UPDATEs (RFC 7866, RFC 7865 `<datamode>`): a `complete`
 * document replaces what we knew; a `partial` one carries only what changed and is merged into the
 * last known state by id, later values winning. A participant's stream association in an update
 * is its whole current send/recv list, and a stream it now sends is no longer sent by anyone the
 * update does not name (a transfer hands a stream to a new participant). `stop-time` on a session
 * ends it; `disassociate-time` makes a participant inactive. Documents of every dialect arrive
 * here in the one model parseRecordingMetadata builds, so a draft-format (`recording_metadata`)
 * update from BroadWorks merges exactly like an RFC 7865 one.
 */
import type { RecordingSession } from './build-recording-session.js';
import { buildRecordingSession } from './build-recording-session.js';
import type { RecordingMetadata } from './recording-metadata.js';
import { MAX_METADATA_WARNINGS } from './recording-metadata.js';

export interface ApplyMetadataUpdateOptions {
  /** The SDP labels of the re-INVITE in m-line order, when they changed. */
  readonly labelOrder?: readonly (string | null)[];
}

/** Returns the session after `update`; the given session is not modified. */
export function applyMetadataUpdate(
  session: RecordingSession,
  update: RecordingMetadata,
  options: ApplyMetadataUpdateOptions = {},
): RecordingSession {
  const buildOptions = {
    ...session.options,
    ...(options.labelOrder === undefined ? {} : { labelOrder: options.labelOrder }),
  };
  const merged =
    update.dataMode === 'complete' || session.metadata === null
      ? update
      : mergeRecordingMetadata(session.metadata, update);
  return buildRecordingSession(merged, buildOptions);
}

/** Merges a partial document into a base; the result reads as complete. */
export function mergeRecordingMetadata(
  base: RecordingMetadata,
  update: RecordingMetadata,
): RecordingMetadata {
  const touchedStreams = new Set(update.participantStreamAssocs.flatMap((a) => a.send));
  const updatedParticipants = new Set(update.participantStreamAssocs.map((a) => a.participantId));
  const keptAssocs = base.participantStreamAssocs
    .filter((a) => !updatedParticipants.has(a.participantId))
    .map((a) => ({ ...a, send: a.send.filter((id) => !touchedStreams.has(id)) }));
  return {
    dialect: update.dialect,
    dataMode: 'complete',
    namespace: base.namespace ?? update.namespace,
    groups: upsert(
      base.groups,
      update.groups,
      (g) => g.id,
      (b, u) => ({
        id: u.id,
        associateTime: u.associateTime ?? b.associateTime,
      }),
    ),
    sessions: upsert(
      base.sessions,
      update.sessions,
      (s) => s.id,
      (b, u) => ({
        id: u.id,
        sipSessionIds: u.sipSessionIds.length > 0 ? u.sipSessionIds : b.sipSessionIds,
        groupRef: u.groupRef ?? b.groupRef,
        startTime: u.startTime ?? b.startTime,
        stopTime: u.stopTime ?? b.stopTime,
      }),
    ),
    participants: upsert(
      base.participants,
      update.participants,
      (p) => p.id,
      (b, u) => ({
        id: u.id,
        nameIds: u.nameIds.length > 0 ? u.nameIds : b.nameIds,
        sessionId: u.sessionId ?? b.sessionId,
        associateTime: u.associateTime ?? b.associateTime,
        disassociateTime: u.disassociateTime ?? b.disassociateTime,
      }),
    ),
    streams: upsert(
      base.streams,
      update.streams,
      (s) => s.id,
      (b, u) => ({
        id: u.id,
        sessionId: u.sessionId ?? b.sessionId,
        label: u.label ?? b.label,
        mode: u.mode ?? b.mode,
      }),
    ),
    sessionRecordingAssocs: upsert(
      base.sessionRecordingAssocs,
      update.sessionRecordingAssocs,
      (a) => a.sessionId,
      (b, u) => ({
        sessionId: u.sessionId,
        associateTime: u.associateTime ?? b.associateTime,
        disassociateTime: u.disassociateTime ?? b.disassociateTime,
      }),
    ),
    participantSessionAssocs: upsert(
      base.participantSessionAssocs,
      update.participantSessionAssocs,
      (a) => a.participantId,
      (b, u) => ({
        participantId: u.participantId,
        sessionId: u.sessionId ?? b.sessionId,
        associateTime: u.associateTime ?? b.associateTime,
        // A re-association after a disassociation (RFC 7865 `<associate-time>` after `<disassociate-time>`) clears it.
        disassociateTime: u.disassociateTime ?? (u.associateTime !== null ? null : b.disassociateTime),
      }),
    ),
    participantStreamAssocs: [...keptAssocs, ...update.participantStreamAssocs],
    vendorCallIds: { ...base.vendorCallIds, ...update.vendorCallIds },
    callingParticipantIds: [...new Set([...base.callingParticipantIds, ...update.callingParticipantIds])],
    callerOriginated: update.callerOriginated ?? base.callerOriginated,
    callParties: {
      caller: update.callParties.caller ?? base.callParties.caller,
      callee: update.callParties.callee ?? base.callParties.callee,
    },
    recordedCall: {
      from: update.recordedCall.from ?? base.recordedCall.from,
      to: update.recordedCall.to ?? base.recordedCall.to,
    },
    warnings: [...base.warnings, ...update.warnings].slice(0, MAX_METADATA_WARNINGS),
  };
}

function upsert<T>(
  base: readonly T[],
  update: readonly T[],
  key: (item: T) => string,
  merge: (base: T, update: T) => T,
): T[] {
  const result = [...base];
  for (const item of update) {
    const at = result.findIndex((b) => key(b) === key(item));
    if (at < 0) result.push(item);
    else result[at] = merge(result[at] as T, item);
  }
  return result;
}
