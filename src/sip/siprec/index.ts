export { parseMediaType } from './parse-media-type.js';
export type { MediaType } from './parse-media-type.js';
export { parseMultipart, multipartBoundary, partHeader } from './parse-multipart.js';
export type { MultipartHeader, MultipartPart, ParseMultipartOptions } from './parse-multipart.js';
export { buildMultipart } from './build-multipart.js';
export type { BuildMultipartOptions, BuiltMultipart, MultipartPartInput } from './build-multipart.js';
export { parseRecordingMetadata } from './parse-recording-metadata.js';
export type { ParseRecordingMetadataOptions } from './parse-recording-metadata.js';
export {
  DRAFT_RECORDING_NAMESPACES,
  MAX_METADATA_WARNINGS,
  RECORDING_NAMESPACE,
} from './recording-metadata.js';
export type {
  DataMode,
  MetadataDialect,
  MetadataGroup,
  MetadataName,
  MetadataNameId,
  MetadataParticipant,
  MetadataParticipantSessionAssoc,
  MetadataParticipantStreamAssoc,
  MetadataSession,
  MetadataSessionRecordingAssoc,
  MetadataStream,
  RecordingMetadata,
  VendorCallIds,
  VendorCallParties,
} from './recording-metadata.js';
export { aorMatches, matchesAgent, normalizeAor } from './aor-matches.js';
export type { AgentMatcher } from './aor-matches.js';
export { buildRecordingSession } from './build-recording-session.js';
export type {
  BuildRecordingSessionOptions,
  ParticipantRole,
  RecordingSession,
  RoleOptions,
  RoleRule,
  RoleSource,
  SessionParticipant,
  SessionStream,
  StreamRole,
} from './build-recording-session.js';
export { applyMetadataUpdate, mergeRecordingMetadata } from './apply-metadata-update.js';
export type { ApplyMetadataUpdateOptions } from './apply-metadata-update.js';
export { recordingSessionFromInvite, sdpOfRecordingBody } from './recording-session-from-invite.js';
export type { InviteRecording, MLineAssignment } from './recording-session-from-invite.js';
