import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { ParseError } from '../../../../src/core/index.js';
import {
  MAX_METADATA_WARNINGS,
  parseMultipart,
  parseRecordingMetadata,
} from '../../../../src/sip/siprec/index.js';
import { readInviteFixture } from './invite-fixture.js';

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
const parse = (s: string) => parseRecordingMetadata(utf8(s));
const NS = 'urn:ietf:params:xml:ns:recording:1';

function throwsParseError(fn: () => unknown, offset?: number, message?: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof ParseError, `expected ParseError, got ${String(e)}`);
    if (offset !== undefined) assert.equal(e.offset, offset);
    if (message !== undefined) assert.match(e.message, message);
    return true;
  });
}

function fixtureXml(name: string): Uint8Array {
  const invite = readInviteFixture(name);
  const part = parseMultipart(invite.body, invite.contentType).find((p) =>
    p.contentType.startsWith('application/rs-metadata'),
  );
  assert.ok(part);
  return part.body;
}

describe('parseRecordingMetadata', () => {
  it('reads a minimal document; an absent datamode means complete', () => {
    const m = parse(`<recording xmlns="${NS}"/>`);
    assert.equal(m.dataMode, 'complete');
    assert.equal(m.namespace, NS);
    assert.deepEqual(m.participants, []);
    assert.equal(m.callerOriginated, null);
  });

  it('matches elements by local name whatever namespace or prefix binds them', () => {
    const m = parse(
      `<bw:recording xmlns:bw="http://schema.broadsoft.com/siprec"><bw:DataMode>Partial</bw:DataMode>` +
        `<bw:participant participant_id="p1"><bw:nameID aor="sip:a@x"/></bw:participant></bw:recording>`,
    );
    assert.equal(m.dataMode, 'partial');
    assert.equal(m.namespace, 'http://schema.broadsoft.com/siprec');
    assert.deepEqual(m.participants[0]?.nameIds, [{ aor: 'sip:a@x', names: [] }]);
  });

  it('reads pre-RFC drafts: id/session attributes, <aor>, <name>, <send> in participant, <mode>', () => {
    const m = parse(
      `<recording xmlns="urn:ietf:params:xml:ns:recording"><dataMode>complete</dataMode>` +
        `<session id="s1"><start-time>2011-06-27T17:03:57</start-time>` +
        `<participant id="p1" session="s1"><aor>sip:a@x</aor><name>A</name><send>st1</send>` +
        `<start-time>2011-06-27T17:03:57</start-time></participant>` +
        `<stream id="st1" session="s1"><mode>Mixed</mode><label>1</label></stream></session></recording>`,
    );
    assert.deepEqual(m.sessions[0], {
      id: 's1',
      sipSessionIds: [],
      groupRef: null,
      startTime: '2011-06-27T17:03:57',
      stopTime: null,
    });
    assert.deepEqual(m.participants, [
      {
        id: 'p1',
        nameIds: [{ aor: 'sip:a@x', names: [{ text: 'A', lang: null }] }],
        sessionId: 's1',
        associateTime: '2011-06-27T17:03:57',
        disassociateTime: null,
      },
    ]);
    assert.deepEqual(m.participantStreamAssocs, [{ participantId: 'p1', send: ['st1'], recv: [] }]);
    assert.deepEqual(m.streams, [{ id: 'st1', sessionId: 's1', label: '1', mode: 'mixed' }]);
  });

  it('decodes predefined entities and character references exactly once', () => {
    const m = parse(
      `<recording><participant participant_id="p&amp;1"><nameID aor="sip:a@x">` +
        `<name xml:lang="fr">A &lt;&#65;&#x42;&gt; &amp;#67; &unknown;</name></nameID></participant></recording>`,
    );
    assert.equal(m.participants[0]?.id, 'p&1');
    assert.deepEqual(m.participants[0]?.nameIds[0]?.names, [{ text: 'A <AB> &#67; &unknown;', lang: 'fr' }]);
  });

  it('keeps a stop-time and disassociations', () => {
    const m = parse(
      `<recording><datamode>partial</datamode><session session_id="s"><stop-time>2024-01-01T00:00:09Z</stop-time>` +
        `</session><participantsessionassoc participant_id="p" session_id="s">` +
        `<disassociate-time>2024-01-01T00:00:08Z</disassociate-time></participantsessionassoc></recording>`,
    );
    assert.equal(m.sessions[0]?.stopTime, '2024-01-01T00:00:09Z');
    assert.deepEqual(m.participantSessionAssocs, [
      { participantId: 'p', sessionId: 's', associateTime: null, disassociateTime: '2024-01-01T00:00:08Z' },
    ]);
  });

  it('tolerates missing and empty ids: stable synthesized ids, one warning each', () => {
    const xml =
      '<recording xmlns="urn:ietf:params:xml:ns:recording:1">\n  <group/><session session_id=""/>' +
      '<participant><nameID aor="sip:a@x"/></participant>' +
      '<participant participant_id=" "><nameID aor="sip:b@x"/></participant>' +
      '<stream><label>1</label></stream><stream stream_id=""/>' +
      '<participantstreamassoc participant_id="participant#0"><send>1</send></participantstreamassoc>' +
      '<participantstreamassoc><send>1</send></participantstreamassoc>' +
      '<participantsessionassoc participant_id="participant#1"/>' +
      '<sessionrecordingassoc/></recording>';
    const m = parse(xml);
    assert.equal(m.dialect, 'rfc7865');
    assert.deepEqual(
      m.groups.map((g) => g.id),
      ['group#0'],
    );
    assert.deepEqual(
      m.sessions.map((s) => s.id),
      ['session#0'],
    );
    assert.deepEqual(
      m.participants.map((p) => [p.id, p.nameIds[0]?.aor]),
      [
        ['participant#0', 'sip:a@x'],
        ['participant#1', 'sip:b@x'],
      ],
    );
    // A stream without id is named by its label, else by its position; a <send> naming the label
    // resolves to it.
    assert.deepEqual(
      m.streams.map((s) => [s.id, s.label]),
      [
        ['label:1', '1'],
        ['stream#1', null],
      ],
    );
    assert.deepEqual(m.participantStreamAssocs, [
      { participantId: 'participant#0', send: ['label:1'], recv: [] },
    ]);
    // With one session, an association that leaves the session out is about that one.
    assert.deepEqual(
      m.participantSessionAssocs.map((a) => [a.participantId, a.sessionId]),
      [['participant#1', 'session#0']],
    );
    assert.deepEqual(
      m.sessionRecordingAssocs.map((a) => a.sessionId),
      ['session#0'],
    );
    assert.deepEqual(m.warnings, [
      '<group> at byte 57 without group_id: id synthesized',
      '<session> at byte 65 without session_id: id synthesized',
      '<stream> at byte 208 without stream_id: id synthesized',
      '<stream> at byte 241 without stream_id: id synthesized',
      '<participant> at byte 89 without participant_id: id synthesized',
      '<participant> at byte 139 without participant_id: id synthesized',
      '<participantstreamassoc> at byte 357 without participant_id: dropped',
    ]);
    // The same document gives the same ids: an update can refer to them.
    assert.deepEqual(parse(xml), m);
  });

  it('bounds the warnings kept per document', () => {
    const m = parse(`<recording>${'<stream/>'.repeat(40)}</recording>`);
    assert.equal(m.streams.length, 40);
    assert.equal(m.warnings.length, MAX_METADATA_WARNINGS);
  });

  it('refuses a wrong root, an unknown datamode and malformed XML', () => {
    throwsParseError(() => parse('<?xml version="1.0"?>\n<metadata/>'), 22, /root/);
    throwsParseError(() => parse('<recording><datamode>sometimes</datamode></recording>'), 11, /datamode/);
    throwsParseError(() => parse('<recording>\n<participant></recording>'), 25, /malformed XML/);
    throwsParseError(() => parse('<recording a=1/>'), 11, /malformed XML/);
    throwsParseError(() => parse(''), 0);
    throwsParseError(() => parse('<a/><b/>'));
    throwsParseError(() => parseRecordingMetadata(Uint8Array.of(0x3c, 0x61, 0xff, 0x2f, 0x3e)), 0, /UTF-8/);
  });

  it('reports the byte offset of a well-formedness error, after multi-byte characters', () => {
    // "é" is two bytes: the mismatched close tag starts at character 15, byte 16.
    throwsParseError(() => parse('<recording>é<a></b></recording>'), 16, /malformed XML/);
    assert.throws(
      () => parseRecordingMetadata(utf8('<x>é</y>'), { baseOffset: 100 }),
      (e: unknown) => e instanceof ParseError && e.offset > 100 && e.offset <= 109,
    );
  });

  it('refuses DOCTYPE and entity declarations: no entity is ever expanded', () => {
    const laughs =
      '<?xml version="1.0"?><!DOCTYPE recording [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>' +
      '<recording><participant participant_id="&b;"/></recording>';
    throwsParseError(() => parse(laughs), 21, /DOCTYPE/);
    throwsParseError(() => parse('<!DOCTYPE r SYSTEM "file:///etc/passwd"><recording/>'), 0, /DOCTYPE/);
  });

  it('bounds input size, nesting depth and element count', () => {
    const big = `<recording>${' '.repeat(70_000)}</recording>`;
    throwsParseError(() => parse(big), 65536, /larger/);
    assert.equal(parseRecordingMetadata(utf8(big), { maxBytes: 80_000 }).dataMode, 'complete');
    const deep = `<recording>${'<x>'.repeat(200)}${'</x>'.repeat(200)}</recording>`;
    throwsParseError(() => parse(deep));
    const wide = `<recording>${'<x/>'.repeat(5000)}</recording>`;
    throwsParseError(() => parse(wide), undefined, /too many elements/);
  });

  it('offsets errors by the base offset of the metadata part', () => {
    throwsParseError(
      () =>
        parseRecordingMetadata(utf8('<recording><datamode>x</datamode></recording>'), { baseOffset: 500 }),
      511,
    );
  });
});

describe('metadata parser properties', () => {
  const onlyParseError = (input: Uint8Array): void => {
    try {
      parseRecordingMetadata(input);
    } catch (e) {
      assert.ok(e instanceof ParseError, String(e));
      assert.ok(
        Number.isInteger(e.offset) && e.offset >= 0 && e.offset <= input.length,
        `offset ${e.offset}`,
      );
    }
  };

  it('random bytes only ever throw ParseError', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), onlyParseError), { numRuns: 2000 });
  });

  it('random XML-ish text only ever throws ParseError', () => {
    const token = fc.constantFrom(
      '<recording>',
      '</recording>',
      '<participant participant_id="p">',
      '</participant>',
      '<nameID aor="sip:a@b">',
      '</nameID>',
      '<stream stream_id="s">',
      '</stream>',
      '<datamode>partial</datamode>',
      '<!DOCTYPE x>',
      '<![CDATA[x]]>',
      '<!-- c -->',
      '&amp;',
      '&#0;',
      '&#x110000;',
      '<?pi x?>',
      '"',
      '<',
      '>',
      '/',
      'x:',
      ' xmlns="u"',
    );
    fc.assert(
      fc.property(fc.array(token, { maxLength: 30 }), (tokens) => onlyParseError(utf8(tokens.join('')))),
      { numRuns: 2000 },
    );
  });

  it('mutated fixture documents only ever throw ParseError', () => {
    const docs = [
      'rfc7865-complete.sip',
      'oracle-acme-extension.sip',
      'broadworks-recording-metadata.sip',
      'webex-calling-separate-streams.sip',
      'avaya-sbce-no-stream-id.sip',
      'ribbon-calldata-agent-first.sip',
    ].map(fixtureXml);
    fc.assert(
      fc.property(
        fc.constantFrom(...docs),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 }),
        fc.nat(),
        (doc, edits, cut) => {
          const body = doc.slice(0, 1 + (cut % doc.length));
          for (const [at, value] of edits) body[at % body.length] = value;
          onlyParseError(body);
        },
      ),
      { numRuns: 1500 },
    );
  });
});
