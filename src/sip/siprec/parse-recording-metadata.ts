/*
 * application/rs-metadata+xml, RFC 7865 (metadata format and XML schema):
 *
 *   <recording xmlns="urn:ietf:params:xml:ns:recording:1">
 *     <datamode>complete|partial</datamode>
 *     <group group_id=".."> <associate-time/> </group>*
 *     <session session_id=".."> <sipSessionID/>* <group-ref/> <start-time/> <stop-time/> </session>*
 *     <participant participant_id=".."> <nameID aor=".."> <name xml:lang=".."/>* </nameID>* </participant>*
 *     <stream stream_id=".." session_id=".."> <label/> </stream>*
 *     <sessionrecordingassoc session_id=".."/>*
 *     <participantsessionassoc participant_id=".." session_id=".."/>*
 *     <participantstreamassoc participant_id=".."> <send/>* <recv/>* </participantstreamassoc>*
 *   </recording>
 *
 * The pre-RFC drafts are still deployed and read into the same model (see MetadataDialect):
 *
 *   <recording_metadata xmlns="urn:ietf:params:xml:ns:siprec">       (BroadWorks, Webex Calling;
 *     <dataMode>complete</dataMode>                                    `recording-metadata` in
 *     <recording id=".."> <requestor/> <type/> </recording>            draft-ram-siprec-metadata-format)
 *     <group id=".." recording=".."> <initiator/> </group>
 *     <session id=".." group=".."> <start-time/> </session>
 *     <participant id=".." session=".."> <aor/> <name/> <send><id/></send> <recv/> </participant>
 *     <stream id=".." session=".."> <label/> <mode>mixed|separate</mode> </stream>
 *     <extensiondata id=".." parent=".."> vendor elements </extensiondata>
 *   </recording_metadata>
 *
 * Elements are matched by local name, case-insensitively, whatever their namespace: vendors bind
 * their own prefixes and default namespaces. `<send>`/`<recv>` hold a stream id as text or in an
 * `<id>` child (the `recording_metadata` format), and a value that is no stream's id but is a
 * stream's label names that stream. Unknown elements (extension data) are ignored except for the
 * vendor call ids and the vendor markers of the calling party (see vendorData).
 *
 * Ids the RFC requires but an SRC leaves out or sends empty (Avaya SBCE sends `<stream>` without
 * `stream_id`) do not refuse the call: a stable id is synthesized from what is there (a stream's
 * label, else the element's position among its kind; a position is stable between complete
 * documents only, so a partial update cannot refer to such an element) and a warning is recorded in
 * `RecordingMetadata.warnings`, so that the ingress can count it. An association without the id
 * it is about cannot be linked to anything and is dropped, with a warning.
 */
import { ParseError } from '../../core/index.js';
import type { XmlElement } from './parse-xml-element.js';
import { childText, childrenNamed, parseXmlElement } from './parse-xml-element.js';
import type {
  DataMode,
  MetadataDialect,
  MetadataNameId,
  MetadataParticipant,
  MetadataParticipantSessionAssoc,
  MetadataParticipantStreamAssoc,
  MetadataSessionRecordingAssoc,
  MetadataStream,
  RecordingMetadata,
  VendorCallIds,
  VendorCallParties,
} from './recording-metadata.js';
import { DRAFT_RECORDING_NAMESPACES, MAX_METADATA_WARNINGS } from './recording-metadata.js';

export interface ParseRecordingMetadataOptions {
  /** Documents larger than this are refused. Default 65536 bytes. */
  readonly maxBytes?: number;
  /** Added to ParseError offsets, e.g. the metadata part's offset in the SIP body. */
  readonly baseOffset?: number;
}

/** Root elements of the RFC format and of the drafts (`recording_metadata`, `recording-metadata`). */
const ROOT_NAMES: ReadonlySet<string> = new Set(['recording', 'recording_metadata', 'recording-metadata']);

/**
 * Parses a recording metadata document in any dialect. Missing or empty ids are synthesized with a
 * warning (see the module comment); missing optional parts (names, labels, times, associations)
 * are null or empty lists. Malformed XML, a foreign root and an unknown datamode are ParseErrors.
 */
export function parseRecordingMetadata(
  body: Uint8Array,
  options: ParseRecordingMetadataOptions = {},
): RecordingMetadata {
  const root = parseXmlElement(body, options);
  const rootName = root.name.toLowerCase();
  if (!ROOT_NAMES.has(rootName)) {
    throw new ParseError(`metadata root is <${root.name}>, not <recording>`, root.offset);
  }
  const dialect: MetadataDialect =
    rootName !== 'recording' ||
    (root.namespace !== null && DRAFT_RECORDING_NAMESPACES.includes(root.namespace))
      ? 'draft'
      : 'rfc7865';
  const warnings: string[] = [];
  const warn = (text: string): void => {
    if (warnings.length < MAX_METADATA_WARNINGS) warnings.push(text);
  };
  const idOf = (element: XmlElement, names: readonly string[], synthesized: () => string): string => {
    const id = attribute(element, names);
    if (id !== null) return id;
    const made = synthesized();
    // RFC 7865's schema requires the id; the text names the element and the attribute, never a
    // value, so that it can be logged and counted without personal data.
    warn(`<${element.name}> at byte ${element.offset} without ${names[0] ?? 'id'}: id synthesized`);
    return made;
  };

  // Pre-RFC drafts and some SRCs nest participants and streams inside <session>.
  const sessionsXml = childrenNamed(root, 'session');
  const nested = (name: string): XmlElement[] => [
    ...childrenNamed(root, name),
    ...sessionsXml.flatMap((s) => childrenNamed(s, name)),
  ];

  const groups = childrenNamed(root, 'group').map((g, index) => ({
    id: idOf(g, ['group_id', 'id'], () => `group#${index}`),
    associateTime: childText(g, 'associate-time'),
  }));
  const sessions = sessionsXml.map((s, index) => ({
    id: idOf(s, ['session_id', 'id'], () => `session#${index}`),
    // RFC 7989 allows whitespace around ";" in a Session-ID value, and RFC 7865's own example
    // wraps one across lines: we drop it so values compare equal to the SIP header.
    sipSessionIds: childrenNamed(s, 'sipSessionID')
      .map((e) => e.text.replace(/\s*;\s*/g, ';').replace(/\s+/g, ' '))
      .filter(nonEmpty),
    groupRef: childText(s, 'group-ref') ?? attribute(s, ['group_ref', 'group']),
    startTime: childText(s, 'start-time') ?? childText(s, 'associate-time'),
    stopTime: childText(s, 'stop-time') ?? childText(s, 'disassociate-time'),
  }));
  const onlySessionId = sessions.length === 1 ? (sessions[0]?.id ?? null) : null;

  const streams: MetadataStream[] = nested('stream').map((s, index) => {
    const label = childText(s, 'label') ?? attribute(s, ['label']);
    return {
      id: idOf(s, ['stream_id', 'id'], () => (label === null ? `stream#${index}` : `label:${label}`)),
      sessionId: attribute(s, ['session_id', 'session']),
      label,
      mode: childText(s, 'mode')?.toLowerCase() ?? null,
    };
  });
  // An association names a stream by id; an SRC whose streams have no id can only name the label.
  const streamIds = new Set(streams.map((s) => s.id));
  const byLabel = new Map<string, string>();
  for (const s of streams) if (s.label !== null && !byLabel.has(s.label)) byLabel.set(s.label, s.id);
  const streamRefs = (element: XmlElement, name: string): string[] =>
    childrenNamed(element, name)
      .flatMap((e) => (e.text !== '' ? [e.text] : childrenNamed(e, 'id').map((i) => i.text)))
      .filter(nonEmpty)
      .map((ref) => (streamIds.has(ref) ? ref : (byLabel.get(ref) ?? ref)));

  const participantStreamAssocs: MetadataParticipantStreamAssoc[] = [];
  const participantIds = new Map<XmlElement, string>();
  const participants: MetadataParticipant[] = nested('participant').map((p, index) => {
    const id = idOf(p, ['participant_id', 'id'], () => `participant#${index}`);
    participantIds.set(p, id);
    const send = streamRefs(p, 'send');
    const recv = streamRefs(p, 'recv');
    if (send.length > 0 || recv.length > 0) {
      participantStreamAssocs.push({ participantId: id, send, recv });
    }
    return {
      id,
      nameIds: nameIds(p),
      sessionId: attribute(p, ['session_id', 'session']),
      associateTime: childText(p, 'associate-time') ?? childText(p, 'start-time'),
      disassociateTime: childText(p, 'disassociate-time') ?? childText(p, 'stop-time'),
    };
  });
  for (const a of childrenNamed(root, 'participantstreamassoc')) {
    const participantId = attribute(a, ['participant_id', 'participant', 'id']);
    if (participantId === null) {
      warn(`<${a.name}> at byte ${a.offset} without participant_id: dropped`);
      continue;
    }
    participantStreamAssocs.push({
      participantId,
      send: streamRefs(a, 'send'),
      recv: streamRefs(a, 'recv'),
    });
  }
  const sessionRecordingAssocs: MetadataSessionRecordingAssoc[] = [];
  for (const a of childrenNamed(root, 'sessionrecordingassoc')) {
    // With one session there is only one it can be about.
    const sessionId = attribute(a, ['session_id', 'sessionid', 'id']) ?? onlySessionId;
    if (sessionId === null) {
      warn(`<${a.name}> at byte ${a.offset} without session_id: dropped`);
      continue;
    }
    sessionRecordingAssocs.push({
      sessionId,
      associateTime: childText(a, 'associate-time'),
      disassociateTime: childText(a, 'disassociate-time'),
    });
  }
  const participantSessionAssocs: MetadataParticipantSessionAssoc[] = [];
  for (const a of childrenNamed(root, 'participantsessionassoc')) {
    const participantId = attribute(a, ['participant_id', 'id']);
    if (participantId === null) {
      warn(`<${a.name}> at byte ${a.offset} without participant_id: dropped`);
      continue;
    }
    participantSessionAssocs.push({
      participantId,
      sessionId: attribute(a, ['session_id']) ?? onlySessionId,
      associateTime: childText(a, 'associate-time'),
      disassociateTime: childText(a, 'disassociate-time'),
    });
  }

  const vendor = vendorData(root, participantIds);
  return {
    dialect,
    dataMode: dataMode(root),
    namespace: root.namespace,
    groups,
    sessions,
    participants,
    streams,
    sessionRecordingAssocs,
    participantSessionAssocs,
    participantStreamAssocs,
    vendorCallIds: vendor.ids,
    callingParticipantIds: vendor.callingParticipantIds,
    callerOriginated: vendor.callerOriginated,
    callParties: vendor.callParties,
    recordedCall: vendor.recordedCall,
    warnings,
  };
}

function nonEmpty(s: string): boolean {
  return s !== '';
}

function attribute(element: XmlElement, names: readonly string[]): string | null {
  for (const name of names) {
    const value = element.attributes.get(name)?.trim();
    if (value !== undefined && value !== '') return value;
  }
  return null;
}

/** RFC 7865 `<datamode>`: `complete` unless the SRC says `partial`; an absent datamode is complete. */
function dataMode(root: XmlElement): DataMode {
  const element = childrenNamed(root, 'datamode')[0];
  if (element === undefined) return 'complete';
  const value = element.text.toLowerCase();
  if (value === 'complete' || value === 'partial') return value;
  throw new ParseError(`unknown datamode "${element.text}"`, element.offset);
}

/**
 * RFC 7865 participant `<nameID aor="..">` with localized `<name>` children. Pre-RFC drafts send
 * `<aor>` elements and a sibling `<name>` instead.
 */
function nameIds(participant: XmlElement): MetadataNameId[] {
  const result: MetadataNameId[] = [];
  for (const n of childrenNamed(participant, 'nameID')) {
    const aor = attribute(n, ['aor']) ?? childText(n, 'aor');
    if (aor === null) continue;
    result.push({
      aor,
      names: childrenNamed(n, 'name')
        .filter((e) => e.text !== '')
        .map((e) => ({ text: e.text, lang: e.attributes.get('lang') ?? null })),
    });
  }
  const draftNames = childrenNamed(participant, 'name')
    .filter((e) => e.text !== '')
    .map((e) => ({ text: e.text, lang: e.attributes.get('lang') ?? null }));
  for (const a of childrenNamed(participant, 'aor')) {
    if (a.text !== '') result.push({ aor: a.text, names: draftNames });
  }
  return result;
}

interface VendorData {
  readonly ids: VendorCallIds;
  readonly callingParticipantIds: string[];
  readonly callerOriginated: boolean | null;
  readonly callParties: VendorCallParties;
  readonly recordedCall: { readonly from: string | null; readonly to: string | null };
}

/**
 * Vendor extension data, by local name anywhere in the document; the first value found wins:
 *
 * - Oracle/Acme Packet: `apkt:ucid`, `apkt:callerOrig` (session) and `apkt:callingParty` inside a
 *   participant, or inside an `<extensiondata parent="participant id">` (draft format);
 * - Avaya: `ucid`, `callId`; BroadWorks and Webex Calling: `callID`, `extTrackingID`, and
 *   `<callType>` (`<origCall>` or `<termCall>`) with `callingPartyNumber`/`calledPartyNumber`;
 *   without them the direction alone is a hint: the recorded user (`userID`) placed an
 *   `origCall` (so is the caller) or received a `termCall` (so is the callee);
 * - Ribbon/Sonus: `<callData>` with `fromhdr`, `tohdr` (the recorded call's From and To header
 *   values), `callid` and `gcid`;
 * - SIP headers an SRC copies from the recorded call (Oracle `<apkt:header label="From">` with
 *   `<value>` children): From and To become `recordedCall`, for the role rule's second step.
 */
function vendorData(root: XmlElement, participantIds: ReadonlyMap<XmlElement, string>): VendorData {
  const ids: { ucid?: string; callId?: string; extTrackingId?: string; gcid?: string } = {};
  const callingParticipantIds: string[] = [];
  const parties: { caller: string | null; callee: string | null } = { caller: null, callee: null };
  let callerOriginated: boolean | null = null;
  const recordedCall: { from: string | null; to: string | null } = { from: null, to: null };
  let userId: string | null = null;
  let direction: 'orig' | 'term' | null = null;
  const known = new Set(participantIds.values());
  const visit = (element: XmlElement, participantId: string | null): void => {
    const name = element.name.toLowerCase();
    const text = element.text;
    if (name === 'participant') {
      participantId = participantIds.get(element) ?? null;
    } else if (name === 'extensiondata') {
      const parent = attribute(element, ['parent']);
      if (parent !== null && known.has(parent)) participantId = parent;
    } else if (name === 'origcall' || name === 'termcall') {
      direction ??= name === 'origcall' ? 'orig' : 'term';
    } else if (name === 'header') {
      const label = attribute(element, ['label', 'name'])?.toLowerCase();
      const value = childText(element, 'value') ?? (text === '' ? null : text);
      if (value !== null && (label === 'from' || label === 'f')) recordedCall.from ??= value;
      if (value !== null && (label === 'to' || label === 't')) recordedCall.to ??= value;
    } else if (text !== '') {
      if (name === 'ucid') ids.ucid ??= text.split(';')[0]?.trim() ?? text;
      else if (name === 'callid' || name === 'call-id') ids.callId ??= text;
      else if (name === 'exttrackingid') ids.extTrackingId ??= text;
      else if (name === 'gcid') ids.gcid ??= text;
      else if (name === 'userid') userId ??= text;
      else if (name === 'callerorig') callerOriginated ??= text.toLowerCase() === 'true';
      else if (name === 'fromhdr' || name === 'callingpartynumber') parties.caller ??= text;
      else if (name === 'tohdr' || name === 'calledpartynumber') parties.callee ??= text;
      else if (name === 'callingparty' && text.toLowerCase() === 'true' && participantId !== null) {
        if (!callingParticipantIds.includes(participantId)) callingParticipantIds.push(participantId);
      }
    }
    for (const child of element.children) visit(child, participantId);
  };
  visit(root, null);
  if (userId !== null && direction === 'orig') parties.caller ??= userId;
  if (userId !== null && direction === 'term') parties.callee ??= userId;
  return { ids, callingParticipantIds, callerOriginated, callParties: parties, recordedCall };
}
