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
 * Elements are matched by local name, case-insensitively, whatever their namespace: vendors bind
 * their own prefixes and default namespaces (BroadWorks), and pre-RFC drafts used `id`/`session`
 * attributes, `<dataMode>`, `<aor>` children and `<send>`/`<recv>` inside `<participant>`; those
 * are read too. Unknown elements (extension data) are ignored except for the vendor call ids.
 */
import { ParseError } from '../../core/index.js';
import type { XmlElement } from './parse-xml-element.js';
import { childText, childrenNamed, parseXmlElement } from './parse-xml-element.js';
import type {
  DataMode,
  MetadataNameId,
  MetadataParticipant,
  MetadataParticipantStreamAssoc,
  RecordingMetadata,
  VendorCallIds,
} from './recording-metadata.js';

export interface ParseRecordingMetadataOptions {
  /** Documents larger than this are refused. Default 65536 bytes. */
  readonly maxBytes?: number;
  /** Added to ParseError offsets, e.g. the metadata part's offset in the SIP body. */
  readonly baseOffset?: number;
}

/**
 * Parses a recording metadata document. Missing ids that the RFC requires are a ParseError;
 * missing optional parts (names, labels, times, associations) are null or empty lists.
 */
export function parseRecordingMetadata(
  body: Uint8Array,
  options: ParseRecordingMetadataOptions = {},
): RecordingMetadata {
  const root = parseXmlElement(body, options);
  if (root.name.toLowerCase() !== 'recording') {
    throw new ParseError(`metadata root is <${root.name}>, not <recording>`, root.offset);
  }
  // Pre-RFC drafts and some SRCs nest participants and streams inside <session>.
  const sessionsXml = childrenNamed(root, 'session');
  const nested = (name: string): XmlElement[] => [
    ...childrenNamed(root, name),
    ...sessionsXml.flatMap((s) => childrenNamed(s, name)),
  ];

  const participantStreamAssocs: MetadataParticipantStreamAssoc[] = [];
  const participants: MetadataParticipant[] = nested('participant').map((p) => {
    const id = requiredId(p, ['participant_id', 'id']);
    const send = childrenNamed(p, 'send')
      .map((e) => e.text)
      .filter(nonEmpty);
    const recv = childrenNamed(p, 'recv')
      .map((e) => e.text)
      .filter(nonEmpty);
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
    participantStreamAssocs.push({
      participantId: requiredId(a, ['participant_id', 'participant', 'id']),
      send: childrenNamed(a, 'send')
        .map((e) => e.text)
        .filter(nonEmpty),
      recv: childrenNamed(a, 'recv')
        .map((e) => e.text)
        .filter(nonEmpty),
    });
  }

  const vendor = vendorData(root);
  return {
    dataMode: dataMode(root),
    namespace: root.namespace,
    groups: childrenNamed(root, 'group').map((g) => ({
      id: requiredId(g, ['group_id', 'id']),
      associateTime: childText(g, 'associate-time'),
    })),
    sessions: sessionsXml.map((s) => ({
      id: requiredId(s, ['session_id', 'id']),
      // RFC 7989 allows whitespace around ";" in a Session-ID value, and RFC 7865's own example
      // wraps one across lines: we drop it so values compare equal to the SIP header.
      sipSessionIds: childrenNamed(s, 'sipSessionID')
        .map((e) => e.text.replace(/\s*;\s*/g, ';').replace(/\s+/g, ' '))
        .filter(nonEmpty),
      groupRef: childText(s, 'group-ref') ?? attribute(s, ['group_ref']),
      startTime: childText(s, 'start-time') ?? childText(s, 'associate-time'),
      stopTime: childText(s, 'stop-time') ?? childText(s, 'disassociate-time'),
    })),
    participants,
    streams: nested('stream').map((s) => ({
      id: requiredId(s, ['stream_id', 'id']),
      sessionId: attribute(s, ['session_id', 'session']),
      label: childText(s, 'label') ?? attribute(s, ['label']),
      mode: childText(s, 'mode')?.toLowerCase() ?? null,
    })),
    sessionRecordingAssocs: childrenNamed(root, 'sessionrecordingassoc').map((a) => ({
      sessionId: requiredId(a, ['session_id', 'sessionid', 'id']),
      associateTime: childText(a, 'associate-time'),
      disassociateTime: childText(a, 'disassociate-time'),
    })),
    participantSessionAssocs: childrenNamed(root, 'participantsessionassoc').map((a) => ({
      participantId: requiredId(a, ['participant_id', 'id']),
      sessionId: attribute(a, ['session_id']),
      associateTime: childText(a, 'associate-time'),
      disassociateTime: childText(a, 'disassociate-time'),
    })),
    participantStreamAssocs,
    vendorCallIds: vendor.ids,
    callingParticipantIds: vendor.callingParticipantIds,
    callerOriginated: vendor.callerOriginated,
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

function requiredId(element: XmlElement, names: readonly string[]): string {
  const id = attribute(element, names);
  if (id === null) {
    // RFC 7865: every group, session, participant and stream is identified by its id, and
    // every association refers to one; without it nothing can be linked.
    throw new ParseError(`<${element.name}> without ${names[0] ?? 'id'}`, element.offset);
  }
  return id;
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
}

/**
 * Vendor extension data, by local name anywhere in the document: Oracle/Acme Packet
 * `apkt:ucid`, `apkt:callerOrig` (session) and `apkt:callingParty` (participant); Avaya `ucid`
 * and `callId`; BroadWorks `callId` and `extTrackingId`. The first value found wins.
 */
function vendorData(root: XmlElement): VendorData {
  const ids: { ucid?: string; callId?: string; extTrackingId?: string } = {};
  const callingParticipantIds: string[] = [];
  let callerOriginated: boolean | null = null;
  const visit = (element: XmlElement, participantId: string | null): void => {
    const name = element.name.toLowerCase();
    const text = element.text;
    if (name === 'participant') {
      participantId = attribute(element, ['participant_id', 'id']);
    } else if (text !== '') {
      if (name === 'ucid') ids.ucid ??= text.split(';')[0]?.trim() ?? text;
      else if (name === 'callid' || name === 'call-id') ids.callId ??= text;
      else if (name === 'exttrackingid') ids.extTrackingId ??= text;
      else if (name === 'callerorig') callerOriginated ??= text.toLowerCase() === 'true';
      else if (name === 'callingparty' && text.toLowerCase() === 'true' && participantId !== null) {
        callingParticipantIds.push(participantId);
      }
    }
    for (const child of element.children) visit(child, participantId);
  };
  visit(root, null);
  return { ids, callingParticipantIds, callerOriginated };
}
