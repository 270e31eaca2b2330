import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ParseError } from '../../../../src/core/index.js';
import type { RecordingMetadata } from '../../../../src/sip/siprec/index.js';
import {
  aorMatches,
  applyMetadataUpdate,
  buildMultipart,
  buildRecordingSession,
  matchesAgent,
  mergeRecordingMetadata,
  normalizeAor,
  parseRecordingMetadata,
  recordingSessionFromInvite,
} from '../../../../src/sip/siprec/index.js';

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

/** A complete document: participants [id, aor], streams [id, label], sends [participant, stream]. */
function doc(
  participants: [string, string][],
  streams: [string, string][],
  sends: [string, string][],
  extra = '',
  mode = 'complete',
): RecordingMetadata {
  const xml =
    `<recording xmlns="urn:ietf:params:xml:ns:recording:1"><datamode>${mode}</datamode>` +
    `<session session_id="s"/>` +
    participants
      .map(([id, aor]) => `<participant participant_id="${id}"><nameID aor="${aor}"/></participant>`)
      .join('') +
    streams
      .map(([id, label]) => `<stream stream_id="${id}" session_id="s"><label>${label}</label></stream>`)
      .join('') +
    sends
      .map(
        ([p, s]) =>
          `<participantstreamassoc participant_id="${p}"><send>${s}</send></participantstreamassoc>`,
      )
      .join('') +
    extra +
    '</recording>';
  return parseRecordingMetadata(utf8(xml));
}

const twoParty = doc(
  [
    ['pa', 'sip:alice@example.com'],
    ['pb', 'sip:2001@agents.example.com'],
  ],
  [
    ['sa', '1'],
    ['sb', '2'],
  ],
  [
    ['pa', 'sa'],
    ['pb', 'sb'],
  ],
);

describe('AoR matching', () => {
  it('normalizes URIs and name-addrs to user@host', () => {
    assert.deepEqual(normalizeAor('"Bob" <sips:Bob@Biloxi.COM:5061;transport=tls>;tag=x'), {
      user: 'bob',
      host: 'biloxi.com',
    });
    assert.deepEqual(normalizeAor('tel:+1-312-555-0199;phone-context=x'), {
      user: '+1-312-555-0199',
      host: '',
    });
  });

  it('matches the same party across schemes, hosts and number formatting', () => {
    assert.ok(aorMatches('sip:bob@biloxi.com', '<sip:BOB@biloxi.com:5060>;tag=1'));
    assert.ok(aorMatches('sip:5139316000@att.int', 'sip:5139316000@10.0.0.1'));
    assert.ok(aorMatches('sip:+13125550199@pstn.example.org', 'tel:+1-312-555-0199'));
    assert.ok(aorMatches('sip:alice@atlanta.com', 'alice'));
    assert.ok(!aorMatches('sip:alice@atlanta.com', 'sip:alice@biloxi.com'));
    assert.ok(!aorMatches('sip:alice@atlanta.com', 'sip:bob@atlanta.com'));
    assert.ok(!aorMatches('', 'sip:bob@atlanta.com'));
  });

  it('matches a telephone number in national and international form, not short extensions', () => {
    assert.ok(aorMatches('sip:02079460123', 'sip:+442079460123@as.example.com'));
    assert.ok(aorMatches('tel:+44-20-7946-0123', 'sip:020 7946 0123@192.0.2.1'));
    assert.ok(!aorMatches('sip:2001@pbx.example.com', 'sip:+4412001@pbx.example.com'));
    assert.ok(!aorMatches('sip:02079460123', 'sip:+442079460124@as.example.com'));
  });

  it('matches agents by prefix, domain or pattern', () => {
    assert.ok(matchesAgent({ aorPrefix: 'sip:20' }, 'sip:2001@pbx.example.com'));
    assert.ok(matchesAgent({ aorPrefix: '2001@pbx' }, 'sips:2001@PBX.example.com'));
    assert.ok(!matchesAgent({ aorPrefix: 'sip:30' }, 'sip:2001@pbx.example.com'));
    assert.ok(matchesAgent({ domain: 'example.com' }, 'sip:2001@agents.example.com'));
    assert.ok(!matchesAgent({ domain: 'example.com' }, 'sip:2001@badexample.com'));
    const global = /agent/g;
    assert.ok(matchesAgent({ pattern: global }, 'sip:agent@x'));
    assert.ok(matchesAgent({ pattern: global }, 'sip:agent@x'), 'a /g pattern matches twice in a row');
    assert.ok(!matchesAgent({}, 'sip:agent@x'));
  });
});

describe('role rule', () => {
  it('sender order by m-line: the first sender is the caller', () => {
    const s = buildRecordingSession(twoParty, { labelOrder: ['2', '1'] });
    assert.equal(s.roleSource, 'label-order');
    assert.deepEqual(
      s.streams.map((x) => [x.label, x.role]),
      [
        ['2', 'caller'],
        ['1', 'agent'],
      ],
    );
  });

  it("the recorded call's From beats an agent pattern; a pattern matching everyone decides nothing", () => {
    const byFrom = buildRecordingSession(twoParty, {
      agentMatcher: { domain: 'agents.example.com' },
      originalFrom: 'sip:2001@agents.example.com',
      labelOrder: ['2', '1'],
    });
    assert.equal(byFrom.roleSource, 'recorded-call-parties');
    assert.deepEqual(
      byFrom.participants.map((p) => p.role),
      ['agent', 'caller'],
    );
    const byPattern = buildRecordingSession(twoParty, {
      agentMatcher: { domain: 'agents.example.com' },
      labelOrder: ['2', '1'],
    });
    assert.equal(byPattern.roleSource, 'agent-pattern');
    assert.deepEqual(
      byPattern.participants.map((p) => p.role),
      ['caller', 'agent'],
    );
    const everyone = buildRecordingSession(twoParty, { agentMatcher: { domain: 'example.com' } });
    assert.equal(everyone.roleSource, 'label-order');
  });

  it("the recorded call's To names the agent when its From matches nobody", () => {
    const s = buildRecordingSession(twoParty, {
      originalFrom: 'sip:carol@example.com',
      originalTo: '<sip:alice@example.com:5060>;tag=9',
      labelOrder: ['1', '2'],
    });
    assert.equal(s.roleSource, 'recorded-call-parties');
    assert.deepEqual(
      s.participants.map((p) => [p.id, p.role]),
      [
        ['pa', 'agent'],
        ['pb', 'caller'],
      ],
    );
  });

  it('a From header the SRC copied into extension data (Oracle apkt:header) names the caller', () => {
    const m = doc(
      [
        ['pa', 'sip:alice@example.com'],
        ['pb', 'sip:2001@agents.example.com'],
      ],
      [
        ['sa', '1'],
        ['sb', '2'],
      ],
      [
        ['pa', 'sa'],
        ['pb', 'sb'],
      ],
      '<extensiondata xmlns:apkt="http://acmepacket.com/siprec/extensiondata">' +
        '<apkt:header label="From"><value>&lt;sip:2001@agents.example.com&gt;;tag=1</value></apkt:header>' +
        '<apkt:header label="P-Asserted-Identity"><value>sip:alice@example.com</value></apkt:header>' +
        '</extensiondata>',
    );
    assert.deepEqual(m.recordedCall, { from: '<sip:2001@agents.example.com>;tag=1', to: null });
    const s = buildRecordingSession(m, {
      agentMatcher: { domain: 'agents.example.com' },
      labelOrder: ['1', '2'],
    });
    assert.equal(s.roleSource, 'recorded-call-parties');
    assert.deepEqual(
      s.streams.map((x) => [x.label, x.role]),
      [
        ['1', 'agent'],
        ['2', 'caller'],
      ],
    );
    // The options (headers on the recording INVITE) win over the metadata.
    const byOption = buildRecordingSession(m, {
      originalFrom: 'sip:alice@example.com',
      labelOrder: ['1', '2'],
    });
    assert.deepEqual(
      byOption.streams.map((x) => x.role),
      ['caller', 'agent'],
    );
  });

  it('a BroadWorks call direction names the recorded user when no party number is sent', () => {
    const withType = (callType: string): RecordingMetadata =>
      doc(
        [
          ['pa', 'sip:alice@example.com'],
          ['pb', 'sip:2001@agents.example.com'],
        ],
        [
          ['sa', '1'],
          ['sb', '2'],
        ],
        [
          ['pa', 'sa'],
          ['pb', 'sb'],
        ],
        '<extensiondata><broadWorksRecordingMetadata xmlns="http://schema.broadsoft.com/broadworksCallRecording">' +
          `<userID>2001@agents.example.com</userID><callType>${callType}</callType>` +
          '</broadWorksRecordingMetadata></extensiondata>',
      );
    const term = withType('<termCall/>');
    assert.deepEqual(term.callParties, { caller: null, callee: '2001@agents.example.com' });
    const t = buildRecordingSession(term, { labelOrder: ['2', '1'] });
    assert.equal(t.roleSource, 'vendor-marker');
    assert.deepEqual(
      t.participants.map((p) => p.role),
      ['caller', 'agent'],
    );
    const orig = withType('<origCall/>');
    assert.deepEqual(orig.callParties, { caller: '2001@agents.example.com', callee: null });
    assert.deepEqual(
      buildRecordingSession(orig).participants.map((p) => p.role),
      ['agent', 'caller'],
    );
  });

  it('vendor markers come first: callingParty, then call data caller, then callee', () => {
    const marked = doc(
      [
        ['pa', 'sip:alice@example.com'],
        ['pb', 'sip:2001@agents.example.com'],
      ],
      [
        ['sa', '1'],
        ['sb', '2'],
      ],
      [
        ['pa', 'sa'],
        ['pb', 'sb'],
      ],
      '<extensiondata parent="pb"><callingParty>true</callingParty></extensiondata>',
    );
    const options = {
      agentMatcher: { domain: 'example.com' },
      originalFrom: 'sip:alice@example.com',
      labelOrder: ['1', '2'],
    };
    const s = buildRecordingSession(marked, options);
    assert.equal(s.roleSource, 'vendor-marker');
    assert.deepEqual(
      s.streams.map((x) => [x.label, x.role]),
      [
        ['1', 'agent'],
        ['2', 'caller'],
      ],
    );
    const byCallee = doc(
      [
        ['pa', 'sip:alice@example.com'],
        ['pb', 'sip:2001@agents.example.com'],
      ],
      [
        ['sa', '1'],
        ['sb', '2'],
      ],
      [
        ['pa', 'sa'],
        ['pb', 'sb'],
      ],
      '<callData xmlns="urn:ietf:params:xml:ns:callData"><tohdr>&lt;sip:alice@example.com:5060&gt;;tag=x</tohdr></callData>',
    );
    assert.deepEqual(byCallee.callParties, { caller: null, callee: '<sip:alice@example.com:5060>;tag=x' });
    const t = buildRecordingSession(byCallee, options);
    assert.equal(t.roleSource, 'vendor-marker');
    assert.deepEqual(
      t.participants.map((p) => p.role),
      ['agent', 'caller'],
    );
  });

  it('a From that matches nobody falls through to sender order', () => {
    const s = buildRecordingSession(twoParty, { originalFrom: 'sip:carol@example.com' });
    assert.equal(s.roleSource, 'label-order');
  });

  it('a third sender is unknown', () => {
    const m = doc(
      [
        ['p1', 'sip:a@x'],
        ['p2', 'sip:b@x'],
        ['p3', 'sip:c@x'],
      ],
      [
        ['s1', '1'],
        ['s2', '2'],
        ['s3', '3'],
      ],
      [
        ['p1', 's1'],
        ['p2', 's2'],
        ['p3', 's3'],
      ],
    );
    assert.deepEqual(
      buildRecordingSession(m).streams.map((x) => x.role),
      ['caller', 'agent', 'unknown'],
    );
  });

  it('metadata senders win over a configured stream order', () => {
    const s = buildRecordingSession(twoParty, { streamOrderRoles: ['agent', 'caller'] });
    assert.equal(s.roleSource, 'label-order');
    assert.deepEqual(
      s.streams.map((x) => x.role),
      ['caller', 'agent'],
    );
  });

  it('metadata without associations uses the stream order, else unknown', () => {
    const m = doc(
      [['p1', 'sip:a@x']],
      [
        ['s1', '1'],
        ['s2', '2'],
      ],
      [],
    );
    assert.deepEqual(
      buildRecordingSession(m, { streamOrderRoles: ['caller', 'agent'] }).streams.map((x) => x.role),
      ['caller', 'agent'],
    );
    assert.deepEqual(
      buildRecordingSession(m).streams.map((x) => x.role),
      ['unknown', 'unknown'],
    );
  });

  it('a draft <mode>mixed</mode> stream is mixed', () => {
    const m = parseRecordingMetadata(
      utf8(
        '<recording><stream id="a"><mode>mixed</mode><label>1</label></stream><stream id="b"><label>2</label></stream></recording>',
      ),
    );
    assert.deepEqual(
      buildRecordingSession(m).streams.map((x) => x.role),
      ['mixed', 'unknown'],
    );
  });
});

describe('recordingSessionFromInvite', () => {
  const sdp = utf8('v=0\r\nm=audio 1 RTP/AVP 0\r\n');

  it('one m-line without metadata is mixed', () => {
    const r = recordingSessionFromInvite('application/sdp', sdp, ['7']);
    assert.deepEqual(
      r.mLines.map((m) => [m.streamId, m.role]),
      [['label:7', 'mixed']],
    );
  });

  it('m-lines without labels get positional streams', () => {
    const r = recordingSessionFromInvite('application/sdp', sdp, [null, '', undefined], {
      streamOrderRoles: ['caller', 'agent'],
    });
    assert.deepEqual(
      r.mLines.map((m) => [m.label, m.streamId, m.role]),
      [
        [null, 'm-line:0', 'caller'],
        [null, 'm-line:1', 'agent'],
        [null, 'm-line:2', 'unknown'],
      ],
    );
  });

  it('an m-line whose label no metadata stream has is unknown', () => {
    const xml = utf8(
      '<recording><participant participant_id="p"><nameID aor="sip:a@x"/></participant>' +
        '<stream stream_id="s"><label>1</label></stream>' +
        '<participantstreamassoc participant_id="p"><send>s</send></participantstreamassoc></recording>',
    );
    const built = buildMultipart([
      { contentType: 'application/sdp', body: sdp },
      { contentType: 'application/rs-metadata+xml', body: xml },
    ]);
    const r = recordingSessionFromInvite(built.contentType, built.body, ['1', '9']);
    assert.deepEqual(
      r.mLines.map((m) => [m.streamId, m.participantIds, m.role]),
      [
        ['s', ['p'], 'caller'],
        ['label:9', [], 'unknown'],
      ],
    );
    assert.deepEqual([...(r.sdp ?? [])], [...sdp]);
  });

  it('accepts a bare metadata body and refuses other content types', () => {
    const r = recordingSessionFromInvite('application/rs-metadata+xml', utf8('<recording/>'), []);
    assert.equal(r.sdp, null);
    assert.equal(r.metadata?.dataMode, 'complete');
    assert.throws(() => recordingSessionFromInvite('text/html', sdp, []), ParseError);
  });

  it('a multipart body without metadata has none, and metadata errors point into the body', () => {
    const sdpOnly = buildMultipart([{ contentType: 'application/sdp', body: sdp }], { boundary: 'b' });
    assert.equal(recordingSessionFromInvite(sdpOnly.contentType, sdpOnly.body, ['1', '2']).metadata, null);
    const bad = buildMultipart(
      [
        { contentType: 'application/sdp', body: sdp },
        {
          contentType: 'application/rs-metadata+xml',
          body: utf8('<recording><datamode>x</datamode></recording>'),
        },
      ],
      { boundary: 'b' },
    );
    const xmlStart = Buffer.from(bad.body).indexOf('<recording>');
    assert.throws(
      () => recordingSessionFromInvite(bad.contentType, bad.body, []),
      (e: unknown) => e instanceof ParseError && e.offset === xmlStart + 11,
    );
  });
});

describe('applyMetadataUpdate', () => {
  const base = buildRecordingSession(twoParty, { labelOrder: ['1', '2'] });

  it('a complete document replaces the session', () => {
    const replaced = applyMetadataUpdate(base, doc([['pz', 'sip:z@x']], [['sz', '1']], [['pz', 'sz']]));
    assert.deepEqual(
      replaced.participants.map((p) => p.id),
      ['pz'],
    );
    assert.deepEqual(
      replaced.streams.map((s) => [s.id, s.label]),
      [
        ['sz', '1'],
        ['label:2', '2'],
      ],
    );
  });

  it('a partial stop-time ends the session and keeps everything else', () => {
    const update = parseRecordingMetadata(
      utf8(
        '<recording><datamode>partial</datamode><session session_id="s">' +
          '<stop-time>2024-01-01T00:05:00Z</stop-time></session></recording>',
      ),
    );
    const ended = applyMetadataUpdate(base, update);
    assert.equal(ended.stopTime, '2024-01-01T00:05:00Z');
    assert.equal(base.stopTime, null);
    assert.deepEqual(
      ended.streams.map((s) => [s.label, s.role]),
      [
        ['1', 'caller'],
        ['2', 'agent'],
      ],
    );
  });

  it('a partial update adds participants and streams and can relabel with new SDP', () => {
    const update = doc([['pc', 'sip:c@x']], [['sc', '3']], [['pc', 'sc']], '', 'partial');
    const after = applyMetadataUpdate(base, update, { labelOrder: ['3', '1', '2'] });
    assert.deepEqual(
      after.streams.map((s) => [s.label, s.senderIds, s.role]),
      [
        ['3', ['pc'], 'caller'],
        ['1', ['pa'], 'agent'],
        ['2', ['pb'], 'unknown'],
      ],
    );
  });

  it('a partial update on a session without metadata builds from it', () => {
    const cube = buildRecordingSession(null, { labelOrder: ['1', '2'] });
    const after = applyMetadataUpdate(cube, { ...twoParty, dataMode: 'partial' });
    assert.deepEqual(
      after.streams.map((s) => s.role),
      ['caller', 'agent'],
    );
  });

  it('re-association clears an earlier disassociation', () => {
    const leave = parseRecordingMetadata(
      utf8(
        '<recording><datamode>partial</datamode><participantsessionassoc participant_id="pb" session_id="s">' +
          '<disassociate-time>2024-01-01T00:01:00Z</disassociate-time></participantsessionassoc></recording>',
      ),
    );
    const back = parseRecordingMetadata(
      utf8(
        '<recording><datamode>partial</datamode><participantsessionassoc participant_id="pb" session_id="s">' +
          '<associate-time>2024-01-01T00:02:00Z</associate-time></participantsessionassoc></recording>',
      ),
    );
    const left = mergeRecordingMetadata(twoParty, leave);
    assert.equal(buildRecordingSession(left).participants[1]?.active, false);
    const returned = mergeRecordingMetadata(left, back);
    assert.deepEqual(returned.participantSessionAssocs, [
      { participantId: 'pb', sessionId: 's', associateTime: '2024-01-01T00:02:00Z', disassociateTime: null },
    ]);
    assert.equal(buildRecordingSession(returned).participants[1]?.active, true);
  });
});

describe('known gaps', () => {
  it('roles per communication session when one recording session carries several (conference, consult)', {
    todo: true,
  });
  it('vendor call ids from SIP headers (Avaya User-to-User UCID, X-Cisco-*), which live outside the body', {
    todo: true,
  });
  it('real vendor captures replacing the constructed fixtures (see test/fixtures/sip/siprec/README.md)', {
    todo: true,
  });
});
