/**
 * The recording metadata document of RFC 7865 (its XML format) as data, one field per element or attribute we
 * use. Times are kept as the RFC 3339 strings the SRC sent. Lists keep document order. The pre-RFC
 * draft formats (draft-ietf-siprec-metadata, `<recording_metadata>` roots) are read into the same
 * model, so nothing after the parser knows which dialect the SRC spoke.
 */
export type DataMode = 'complete' | 'partial';

/**
 * Which metadata format the document was written in: `rfc7865` (root `<recording>`, namespace
 * `urn:ietf:params:xml:ns:recording:1`, `*_id` attributes) or `draft` (the pre-RFC
 * draft-ietf-siprec-metadata formats: root `<recording_metadata>` or `<recording-metadata>` as
 * BroadWorks and Webex Calling send, or `<recording>` in the `urn:ietf:params:xml:ns:recording` or
 * `urn:ietf:params:xml:ns:siprec` namespace with `id`/`session` attributes as Oracle sends).
 */
export type MetadataDialect = 'rfc7865' | 'draft';

/**
 * The recorded call's parties as a vendor names them outside the participant list: Ribbon/Sonus
 * `<callData>` `fromhdr`/`tohdr` (the recorded call's From and To header values) and BroadWorks
 * `<callType>` `callingPartyNumber`/`calledPartyNumber`. Null when not sent.
 */
export interface VendorCallParties {
  /** A URI or name-addr naming the calling party. */
  readonly caller: string | null;
  /** A URI or name-addr naming the called party. */
  readonly callee: string | null;
}

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
  /** Ribbon/Sonus global call id (`<callData><gcid>`). */
  readonly gcid?: string;
}

export interface RecordingMetadata {
  readonly dialect: MetadataDialect;
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
  /** Caller and callee as vendor call data names them (see VendorCallParties). */
  readonly callParties: VendorCallParties;
  /**
   * The recorded call's From and To header values when the SRC copies SIP headers into extension
   * data (Oracle `<apkt:header label="From"><value>..</value></apkt:header>`, configurable on the
   * SBC). Null when not sent.
   */
  readonly recordedCall: { readonly from: string | null; readonly to: string | null };
  /**
   * What the parser tolerated rather than refused, one short text each, e.g. a `<stream>` without
   * `stream_id` (Avaya SBCE) whose id was synthesized. Never contains AoRs or names; at most
   * MAX_METADATA_WARNINGS entries.
   */
  readonly warnings: readonly string[];
}

/** Warnings kept per document; further ones are dropped (the document is bounded anyway). */
export const MAX_METADATA_WARNINGS = 16;

/** The namespace RFC 7865 registers. Pre-RFC drafts used `urn:ietf:params:xml:ns:recording`. */
export const RECORDING_NAMESPACE = 'urn:ietf:params:xml:ns:recording:1';

/** Namespaces of the pre-RFC drafts: draft-ietf-siprec-metadata and the `recording_metadata` format. */
export const DRAFT_RECORDING_NAMESPACES: readonly string[] = [
  'urn:ietf:params:xml:ns:recording',
  'urn:ietf:params:xml:ns:siprec',
];
