/**
 * The recording metadata document of RFC 7865 (its XML format) as data, one field per element or attribute we
 * use. Times are kept as the RFC 3339 strings the SRC sent. Lists keep document order.
 */
export type DataMode = 'complete' | 'partial';

export interface MetadataGroup {
  readonly id: string;
  readonly associateTime: string | null;
}

export interface MetadataSession {
  readonly id: string;
  /** RFC 7865 `<sipSessionID>`: the recorded call's Session-ID header values (RFC 7989). */
  readonly sipSessionIds: readonly string[];
  readonly groupRef: string | null;
  readonly startTime: string | null;
  /** Present when the recorded session has ended (RFC 7865 `<stop-time>`). */
  readonly stopTime: string | null;
}

export interface MetadataName {
  readonly text: string;
  /** `xml:lang`, or null. */
  readonly lang: string | null;
}

export interface MetadataNameId {
  readonly aor: string;
  readonly names: readonly MetadataName[];
}

export interface MetadataParticipant {
  readonly id: string;
  readonly nameIds: readonly MetadataNameId[];
  /**
   * The `session` attribute of pre-RFC drafts (still sent by Oracle/Acme Packet). Their
   * `<send>`/`<recv>` children of `<participant>` are moved into participantStreamAssocs.
   */
  readonly sessionId: string | null;
  readonly associateTime: string | null;
  readonly disassociateTime: string | null;
}

export interface MetadataStream {
  readonly id: string;
  readonly sessionId: string | null;
  /** The SDP `a=label` of the m-line carrying this stream (RFC 4574), or null. */
  readonly label: string | null;
  /** Pre-RFC drafts say `<mode>mixed</mode>` or `separate`; null when not sent. */
  readonly mode: string | null;
}

export interface MetadataSessionRecordingAssoc {
  readonly sessionId: string;
  readonly associateTime: string | null;
  readonly disassociateTime: string | null;
}

export interface MetadataParticipantSessionAssoc {
  readonly participantId: string;
  readonly sessionId: string | null;
  readonly associateTime: string | null;
  readonly disassociateTime: string | null;
}

export interface MetadataParticipantStreamAssoc {
  readonly participantId: string;
  /** Stream ids the participant sends. */
  readonly send: readonly string[];
  /** Stream ids the participant receives. */
  readonly recv: readonly string[];
}

/** Call identifiers that vendors put into extension data, by local element name. */
export interface VendorCallIds {
  /** Avaya Universal Call ID (Oracle `apkt:ucid`, Avaya), without `;encoding=...`. */
  readonly ucid?: string;
  /** A vendor's own call id (e.g. Avaya or BroadWorks `callId`). */
  readonly callId?: string;
  /** BroadWorks external tracking id. */
  readonly extTrackingId?: string;
}

export interface RecordingMetadata {
  readonly dataMode: DataMode;
  /** Namespace URI of the `<recording>` element, or null when it has none. */
  readonly namespace: string | null;
  readonly groups: readonly MetadataGroup[];
  readonly sessions: readonly MetadataSession[];
  readonly participants: readonly MetadataParticipant[];
  readonly streams: readonly MetadataStream[];
  readonly sessionRecordingAssocs: readonly MetadataSessionRecordingAssoc[];
  readonly participantSessionAssocs: readonly MetadataParticipantSessionAssoc[];
  readonly participantStreamAssocs: readonly MetadataParticipantStreamAssoc[];
  readonly vendorCallIds: VendorCallIds;
  /**
   * Participants a vendor marks as the calling party (Oracle `apkt:callingParty` true inside a
   * participant's extension data).
   */
  readonly callingParticipantIds: readonly string[];
  /** Oracle `apkt:callerOrig`, when sent. */
  readonly callerOriginated: boolean | null;
}

/** The namespace RFC 7865 registers. Pre-RFC drafts used `urn:ietf:params:xml:ns:recording`. */
export const RECORDING_NAMESPACE = 'urn:ietf:params:xml:ns:recording:1';
