import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { InviteRecording, RoleOptions } from '../../../../src/sip/siprec/index.js';
import {
  applyMetadataUpdate,
  parseMultipart,
  recordingSessionFromInvite,
} from '../../../../src/sip/siprec/index.js';
import { readInviteFixture, sdpLabels } from './invite-fixture.js';

function load(name: string, options: RoleOptions = {}): InviteRecording {
  const invite = readInviteFixture(name);
  const sdpPart = invite.contentType.startsWith('multipart/')
    ? parseMultipart(invite.body, invite.contentType).find((p) => p.contentType === 'application/sdp')
    : { body: invite.body };
  assert.ok(sdpPart, `${name} has an SDP`);
  return recordingSessionFromInvite(invite.contentType, invite.body, sdpLabels(sdpPart.body), options);
}

/** [label, streamId, participantIds, role] per m-line. */
function mLines(r: InviteRecording): [string | null, string, string[], string][] {
  return r.mLines.map((m) => [m.label, m.streamId, [...m.participantIds], m.role]);
}

describe('RFC 7865 §8.1 complete example', () => {
  const r = load('rfc7865-complete.sip');
  const BOB = 'srfBElmCRp2QB23b7Mpk0w==';
  const PAUL = 'zSfPoSvdSDCmU3A3TRDxAw==';

  it('reads the metadata document field by field', () => {
    const m = r.metadata;
    assert.ok(m);
    assert.equal(m.dataMode, 'complete');
    assert.equal(m.namespace, 'urn:ietf:params:xml:ns:recording:1');
    assert.deepEqual(m.groups, [{ id: '7+OTCyoxTmqmqyA/1weDAg==', associateTime: '2010-12-16T23:41:07Z' }]);
    assert.deepEqual(m.sessions, [
      {
        id: 'hVpd7YQgRW2nD22h7q60JQ==',
        // Wrapped over two lines in the RFC; RFC 7989 whitespace around ";" is dropped.
        sipSessionIds: ['ab30317f1a784dc48ff824d0d3715d86;remote=47755a9de7794ba387653f2099600ef2'],
        groupRef: '7+OTCyoxTmqmqyA/1weDAg==',
        startTime: null,
        stopTime: null,
      },
    ]);
    assert.deepEqual(
      m.participants.map((p) => [p.id, p.nameIds]),
      [
        [BOB, [{ aor: 'sip:bob@biloxi.com', names: [{ text: 'Bob', lang: 'it' }] }]],
        [PAUL, [{ aor: 'sip:Paul@biloxi.com', names: [{ text: 'Paul', lang: 'it' }] }]],
      ],
    );
    assert.deepEqual(
      m.streams.map((s) => [s.id, s.sessionId, s.label]),
      [
        ['UAAMm5GRQKSCMVvLyl4rFw==', 'hVpd7YQgRW2nD22h7q60JQ==', '96'],
        ['i1Pz3to5hGk8fuXl+PbwCw==', 'hVpd7YQgRW2nD22h7q60JQ==', '97'],
        ['8zc6e0lYTlWIINA6GR+3ag==', 'hVpd7YQgRW2nD22h7q60JQ==', '98'],
        ['EiXGlc+4TruqqoDaNE76ag==', 'hVpd7YQgRW2nD22h7q60JQ==', '99'],
      ],
    );
    assert.deepEqual(m.sessionRecordingAssocs, [
      {
        sessionId: 'hVpd7YQgRW2nD22h7q60JQ==',
        associateTime: '2010-12-16T23:41:07Z',
        disassociateTime: null,
      },
    ]);
    assert.deepEqual(
      m.participantSessionAssocs.map((a) => [a.participantId, a.sessionId, a.associateTime]),
      [
        [BOB, 'hVpd7YQgRW2nD22h7q60JQ==', '2010-12-16T23:41:07Z'],
        [PAUL, 'hVpd7YQgRW2nD22h7q60JQ==', '2010-12-16T23:41:07Z'],
      ],
    );
    assert.deepEqual(m.participantStreamAssocs, [
      {
        participantId: BOB,
        send: ['i1Pz3to5hGk8fuXl+PbwCw==', 'UAAMm5GRQKSCMVvLyl4rFw=='],
        recv: ['8zc6e0lYTlWIINA6GR+3ag==', 'EiXGlc+4TruqqoDaNE76ag=='],
      },
      {
        participantId: PAUL,
        send: ['8zc6e0lYTlWIINA6GR+3ag==', 'EiXGlc+4TruqqoDaNE76ag=='],
        recv: ['UAAMm5GRQKSCMVvLyl4rFw==', 'i1Pz3to5hGk8fuXl+PbwCw=='],
      },
    ]);
    assert.deepEqual(m.vendorCallIds, {});
  });

  it('pairs each m-line with its stream, sender and role (sender order: Bob first)', () => {
    assert.deepEqual(mLines(r), [
      ['96', 'UAAMm5GRQKSCMVvLyl4rFw==', [BOB], 'caller'],
      ['97', 'i1Pz3to5hGk8fuXl+PbwCw==', [BOB], 'caller'],
      ['98', '8zc6e0lYTlWIINA6GR+3ag==', [PAUL], 'agent'],
      ['99', 'EiXGlc+4TruqqoDaNE76ag==', [PAUL], 'agent'],
    ]);
    assert.equal(r.session.roleSource, 'label-order');
    assert.deepEqual(
      r.session.participants.map((p) => [p.id, p.aor, p.name, p.role, p.active, p.sends.length]),
      [
        [BOB, 'sip:bob@biloxi.com', 'Bob', 'caller', true, 2],
        [PAUL, 'sip:Paul@biloxi.com', 'Paul', 'agent', true, 2],
      ],
    );
    assert.deepEqual(r.session.sessionIds, ['hVpd7YQgRW2nD22h7q60JQ==']);
    assert.deepEqual(r.session.groupIds, ['7+OTCyoxTmqmqyA/1weDAg==']);
    assert.ok(r.sdp && Buffer.from(r.sdp).toString('latin1').startsWith('v=0\r\n'));
  });

  it('lets the original From decide instead: Paul called', () => {
    const byFrom = load('rfc7865-complete.sip', { originalFrom: '"Paul" <sip:paul@biloxi.com>;tag=1' });
    assert.equal(byFrom.session.roleSource, 'recorded-call-parties');
    assert.deepEqual(
      byFrom.mLines.map((m) => m.role),
      ['agent', 'agent', 'caller', 'caller'],
    );
  });
});

describe('Cisco CUBE without metadata', () => {
  it('pairs streams by label and leaves roles unknown without a rule', () => {
    const r = load('cisco-cube-no-metadata.sip');
    assert.equal(r.metadata, null);
    assert.deepEqual(mLines(r), [
      ['1', 'label:1', [], 'unknown'],
      ['2', 'label:2', [], 'unknown'],
    ]);
    assert.equal(r.session.roleSource, 'none');
    assert.deepEqual(r.session.participants, []);
    assert.deepEqual([...r.session.streamsByLabel.keys()], ['1', '2']);
    assert.ok(r.session.streams.every((s) => s.synthesized));
  });

  it('takes roles from a configured stream order', () => {
    const r = load('cisco-cube-no-metadata.sip', { streamOrderRoles: ['caller', 'agent'] });
    assert.equal(r.session.roleSource, 'stream-order');
    assert.deepEqual(
      r.mLines.map((m) => m.role),
      ['caller', 'agent'],
    );
  });
});

describe('single mixed m-line (Metaswitch style)', () => {
  const A = 'bXN3LXBhcnR5LWE=';
  const B = 'bXN3LXBhcnR5LWI=';

  it('marks the one stream mixed, sent by both parties', () => {
    const r = load('metaswitch-single-mixed.sip');
    assert.deepEqual(mLines(r), [['mixed-1', 'bXN3LXN0cmVhbS1taXhlZA==', [A, B], 'mixed']]);
    assert.deepEqual(
      r.session.participants.map((p) => [p.aor, p.name, p.role]),
      [
        ['sip:+442079460123@ims.example.net', 'Caller Example', 'unknown'],
        ['sip:+442079460999@ims.example.net', 'Support Desk', 'unknown'],
      ],
    );
    assert.deepEqual(r.session.sipSessionIds, ['0f1e2d3c4b5a69788796a5b4c3d2e1f0']);
    assert.equal(r.session.startTime, '2024-03-05T14:02:11Z');
  });

  it('still tells the parties apart with an agent matcher', () => {
    const r = load('metaswitch-single-mixed.sip', { agentMatcher: { pattern: /\+44207946099\d@/ } });
    assert.equal(r.session.roleSource, 'agent-pattern');
    assert.deepEqual(
      r.session.participants.map((p) => p.role),
      ['caller', 'agent'],
    );
    assert.equal(r.mLines[0]?.role, 'mixed');
  });
});

describe('BroadWorks: draft recording_metadata format', () => {
  const AGENT = 'urn:uuid:0b7e3c52-4a11-4d6e-9a0f-2f1c7e1d0011';
  const CALLER = 'urn:uuid:0b7e3c52-4a11-4d6e-9a0f-2f1c7e1d0012';
  const STREAM = 'urn:uuid:0b7e3c52-4a11-4d6e-9a0f-2f1c7e1d0021';

  it('reads the draft root, ids, <aor>, <send><id> and the BroadWorks call ids', () => {
    const r = load('broadworks-recording-metadata.sip');
    const m = r.metadata;
    assert.ok(m);
    assert.equal(m.dialect, 'draft');
    assert.equal(m.namespace, 'urn:ietf:params:xml:ns:siprec');
    assert.equal(m.dataMode, 'complete');
    assert.deepEqual(m.groups, [
      { id: 'urn:uuid:0b7e3c52-4a11-4d6e-9a0f-2f1c7e1d0002', associateTime: null },
    ]);
    assert.deepEqual(m.sessions, [
      {
        id: 'urn:uuid:0b7e3c52-4a11-4d6e-9a0f-2f1c7e1d0003',
        sipSessionIds: [],
        groupRef: 'urn:uuid:0b7e3c52-4a11-4d6e-9a0f-2f1c7e1d0002',
        startTime: '2024-04-01T09:15:00+01:00',
        stopTime: null,
      },
    ]);
    assert.deepEqual(m.streams, [
      { id: STREAM, sessionId: 'urn:uuid:0b7e3c52-4a11-4d6e-9a0f-2f1c7e1d0003', label: '1', mode: 'mixed' },
    ]);
    assert.deepEqual(m.participantStreamAssocs, [
      { participantId: AGENT, send: [STREAM], recv: [] },
      { participantId: CALLER, send: [STREAM], recv: [] },
    ]);
    assert.deepEqual(m.vendorCallIds, { extTrackingId: '4711:1', callId: 'callhalf-1234567:0' });
    assert.deepEqual(m.callParties, {
      caller: 'sip:+442079460123@as.example.com',
      callee: 'sip:2001@enterprise.example.com',
    });
    assert.deepEqual(m.warnings, []);
  });

  it('one mixed stream; the termCall calling party is the caller though listed second', () => {
    const r = load('broadworks-recording-metadata.sip');
    assert.equal(r.session.roleSource, 'vendor-marker');
    assert.deepEqual(mLines(r), [['1', STREAM, [AGENT, CALLER], 'mixed']]);
    // The participant is named in national form, the call type in international form.
    assert.deepEqual(
      r.session.participants.map((p) => [p.id, p.aor, p.name, p.role, p.sends]),
      [
        [AGENT, 'sip:2001@enterprise.example.com', null, 'agent', [STREAM]],
        [CALLER, 'sip:02079460123', null, 'caller', [STREAM]],
      ],
    );
  });

  it('the vendor marker beats a configured agent pattern that says otherwise', () => {
    const r = load('broadworks-recording-metadata.sip', { agentMatcher: { aorPrefix: 'sip:0207' } });
    assert.equal(r.session.roleSource, 'vendor-marker');
    assert.deepEqual(
      r.session.participants.map((p) => p.role),
      ['agent', 'caller'],
    );
  });
});

describe('Webex Calling: draft format, two separate streams, and a transfer re-INVITE', () => {
  const AGENT = 'urn:uuid:5f0c2a6e-8d3b-4c1f-b2a7-6e9d4c3b0011';
  const CUSTOMER = 'urn:uuid:5f0c2a6e-8d3b-4c1f-b2a7-6e9d4c3b0012';
  const SUPERVISOR = 'urn:uuid:5f0c2a6e-8d3b-4c1f-b2a7-6e9d4c3b0013';
  const S1 = 'urn:uuid:5f0c2a6e-8d3b-4c1f-b2a7-6e9d4c3b0021';
  const S2 = 'urn:uuid:5f0c2a6e-8d3b-4c1f-b2a7-6e9d4c3b0022';

  it('pairs each m-line with its sender and role from the call type', () => {
    const r = load('webex-calling-separate-streams.sip');
    assert.equal(r.metadata?.dialect, 'draft');
    assert.deepEqual(r.metadata?.vendorCallIds, { extTrackingId: '98765:1', callId: 'callhalf-581329:0' });
    assert.equal(r.session.roleSource, 'vendor-marker');
    assert.deepEqual(mLines(r), [
      ['1', S1, [CUSTOMER], 'caller'],
      ['2', S2, [AGENT], 'agent'],
    ]);
    assert.deepEqual(
      r.session.participants.map((p) => [p.id, p.aor, p.name, p.role, p.sends]),
      [
        [AGENT, 'sip:+12025550188@webex.example.com;user=phone', 'Agent Example', 'agent', [S2]],
        [CUSTOMER, 'tel:+12025550147', null, 'caller', [S1]],
      ],
    );
    assert.deepEqual(
      r.session.streams.map((s) => [s.id, s.label, s.senderIds, s.role]),
      [
        [S1, '1', [CUSTOMER], 'caller'],
        [S2, '2', [AGENT], 'agent'],
      ],
    );
  });

  it('a partial draft update hands the agent stream to the supervisor', () => {
    const first = load('webex-calling-separate-streams.sip');
    const update = load('webex-calling-reinvite-transfer.sip');
    assert.ok(update.metadata);
    assert.equal(update.metadata.dialect, 'draft');
    assert.equal(update.metadata.dataMode, 'partial');
    const after = applyMetadataUpdate(first.session, update.metadata, { labelOrder: ['1', '2'] });
    assert.equal(after.roleSource, 'vendor-marker');
    assert.deepEqual(
      after.participants.map((p) => [p.id, p.aor, p.name, p.active, p.role, p.sends]),
      [
        [AGENT, 'sip:+12025550188@webex.example.com;user=phone', 'Agent Example', false, 'unknown', []],
        [CUSTOMER, 'tel:+12025550147', null, true, 'caller', [S1]],
        [
          SUPERVISOR,
          'sip:+12025550199@webex.example.com;user=phone',
          'Supervisor Example',
          true,
          'agent',
          [S2],
        ],
      ],
    );
    assert.deepEqual(
      after.streams.map((s) => [s.label, s.senderIds, s.role]),
      [
        ['1', [CUSTOMER], 'caller'],
        ['2', [SUPERVISOR], 'agent'],
      ],
    );
  });
});

describe('Avaya SBCE: streams without stream_id, empty ids', () => {
  const CALLER = 'c2JjZS1jYWxsZXI=';
  const AGENT = 'c2JjZS1hZ2VudA==';

  it('synthesizes stable ids, counts one warning each, and links streams by label', () => {
    const r = load('avaya-sbce-no-stream-id.sip');
    const m = r.metadata;
    assert.ok(m);
    assert.equal(m.dialect, 'rfc7865');
    assert.deepEqual(
      m.sessions.map((s) => [s.id, s.startTime]),
      [['session#0', '2024-09-17T08:01:12Z']],
    );
    assert.deepEqual(m.streams, [
      { id: 'label:10', sessionId: null, label: '10', mode: null },
      { id: 'label:20', sessionId: null, label: '20', mode: null },
    ]);
    assert.deepEqual(
      m.participantSessionAssocs.map((a) => [a.participantId, a.sessionId]),
      [
        [CALLER, 'session#0'],
        [AGENT, 'session#0'],
      ],
    );
    assert.deepEqual(m.warnings, [
      '<session> at byte 661 without session_id: id synthesized',
      '<stream> at byte 1432 without stream_id: id synthesized',
      '<stream> at byte 1480 without stream_id: id synthesized',
    ]);
    assert.equal(r.session.roleSource, 'label-order');
    assert.deepEqual(mLines(r), [
      ['10', 'label:10', [CALLER], 'caller'],
      ['20', 'label:20', [AGENT], 'agent'],
    ]);
    assert.deepEqual(
      r.session.participants.map((p) => [p.aor, p.name, p.role]),
      [
        ['sip:+13125550142@pstn.example.org', '+13125550142', 'caller'],
        ['sip:3001@avaya.example.com', 'Agent 3001', 'agent'],
      ],
    );
  });

  it('an agent pattern decides before label order', () => {
    const r = load('avaya-sbce-no-stream-id.sip', { agentMatcher: { aorPrefix: 'sip:+1312' } });
    assert.equal(r.session.roleSource, 'agent-pattern');
    assert.deepEqual(
      r.mLines.map((m) => m.role),
      ['agent', 'caller'],
    );
  });
});

describe('Ribbon/Sonus: call data names the caller, the agent sends label 1', () => {
  const AGENT = 'cmJuLXBhcnR5LWFnZW50';
  const CUSTOMER = 'cmJuLXBhcnR5LWN1c3RvbWVy';

  it('fromhdr decides: label 1 is the agent, not the caller', () => {
    const r = load('ribbon-calldata-agent-first.sip');
    const m = r.metadata;
    assert.ok(m);
    assert.equal(m.namespace, 'urn:ietf:params:xml:ns:recording');
    assert.deepEqual(m.callParties, {
      caller: '"Customer Example" <sip:3125550147@198.51.100.20>;tag=gK0a7b1c2d',
      callee: '<sip:8500@192.0.2.55>;tag=SerryvK5ej0jc',
    });
    assert.deepEqual(m.vendorCallIds, { callId: '5a1b2c3d-4e5f-1236-a7b8-525400aa0001', gcid: '241205267' });
    assert.equal(r.session.roleSource, 'vendor-marker');
    assert.deepEqual(mLines(r), [
      ['1', 'cmJuLXN0cmVhbS0x', [AGENT], 'agent'],
      ['2', 'cmJuLXN0cmVhbS0y', [CUSTOMER], 'caller'],
    ]);
    // A name of only whitespace is no name.
    assert.deepEqual(
      r.session.participants.map((p) => [p.id, p.aor, p.name, p.role]),
      [
        [AGENT, '8500@192.0.2.55', 'Extension 8500', 'agent'],
        [CUSTOMER, '3125550147@198.51.100.20', null, 'caller'],
      ],
    );
  });
});

describe('Oracle (Acme Packet) extension data', () => {
  const AGENT = 'b3JhLXBhcnR5LWFnZW50';
  const CALLER = 'b3JhLXBhcnR5LWNhbGxlcg==';

  it('reads the pre-RFC shape, UCID and the calling party', () => {
    const r = load('oracle-acme-extension.sip');
    const m = r.metadata;
    assert.ok(m);
    assert.equal(m.namespace, 'urn:ietf:params:xml:ns:recording');
    assert.deepEqual(m.vendorCallIds, { ucid: '00FA080018803B69810C8C' });
    assert.equal(m.callerOriginated, true);
    assert.deepEqual(m.callingParticipantIds, [CALLER]);
    assert.deepEqual(
      m.sessions.map((s) => [s.id, s.startTime]),
      [['b3JhLXNlc3Npb24tMDAwMQ==', '2023-11-20T16:40:29']],
    );
    assert.deepEqual(
      m.participants.map((p) => [p.id, p.sessionId]),
      [
        [AGENT, 'b3JhLXNlc3Npb24tMDAwMQ=='],
        [CALLER, 'b3JhLXNlc3Npb24tMDAwMQ=='],
      ],
    );
    assert.equal(r.session.roleSource, 'vendor-marker');
    assert.deepEqual(mLines(r), [
      ['553654187', 'b3JhLXN0cmVhbS0x', [CALLER], 'caller'],
      ['553654188', 'b3JhLXN0cmVhbS0y', [AGENT], 'agent'],
    ]);
    assert.deepEqual(
      r.session.participants.map((p) => [p.aor, p.name, p.role]),
      [
        ['sip:7001@cc.example.com', 'Agent 7001', 'agent'],
        ['sip:5139316000@carrier.example.net', '5139316000', 'caller'],
      ],
    );
    assert.deepEqual(r.session.vendorCallIds, { ucid: '00FA080018803B69810C8C' });
  });
});

describe('Avaya UCID, LF-only body, and a partial update', () => {
  const CALLER = 'YXZheWEtY2FsbGVy';
  const AGENT = 'YXZheWEtYWdlbnQ=';
  const AGENT2 = 'YXZheWEtYWdlbnQtMg==';

  it('reads the UCID and call id and pairs the streams', () => {
    const r = load('avaya-ucid.sip', { originalFrom: 'tel:+1-312-555-0199' });
    assert.deepEqual(r.session.vendorCallIds, { ucid: '00001002161718123456', callId: 'AV-8812-44231' });
    assert.equal(r.session.roleSource, 'recorded-call-parties');
    assert.deepEqual(mLines(r), [
      ['11', 'YXZheWEtc3RyZWFtLXJ4', [CALLER], 'caller'],
      ['12', 'YXZheWEtc3RyZWFtLXR4', [AGENT], 'agent'],
    ]);
    assert.deepEqual(r.session.sipSessionIds, [
      '7c3e4f5a6b7c8d9e0f1a2b3c4d5e6f70;remote=00000000000000000000000000000000',
    ]);
  });

  it('hands the agent stream to the new agent after a transfer', () => {
    const first = load('avaya-ucid.sip');
    const reinvite = load('avaya-reinvite-partial-transfer.sip');
    assert.equal(reinvite.metadata?.dataMode, 'partial');
    assert.ok(reinvite.metadata);
    const after = applyMetadataUpdate(first.session, reinvite.metadata);
    assert.deepEqual(
      after.participants.map((p) => [p.id, p.aor, p.active, p.role, p.sends]),
      [
        [CALLER, 'sip:+13125550199@pstn.example.org', true, 'caller', ['YXZheWEtc3RyZWFtLXJ4']],
        [AGENT, 'sip:3001@avaya.example.com', false, 'unknown', []],
        [AGENT2, 'sip:3002@avaya.example.com', true, 'agent', ['YXZheWEtc3RyZWFtLXR4']],
      ],
    );
    assert.deepEqual(
      after.streams.map((s) => [s.label, s.senderIds, s.role]),
      [
        ['11', [CALLER], 'caller'],
        ['12', [AGENT2], 'agent'],
      ],
    );
    assert.deepEqual(after.vendorCallIds, { ucid: '00001002161718123456', callId: 'AV-8812-44231' });
    // The session it was applied to is unchanged.
    assert.equal(first.session.participants.length, 2);
  });
});

describe('OpenSIPS siprec module: SDP without t= and with c= per m-line', () => {
  const r = load('opensips-siprec-no-t.sip');
  const CALLER = 't1G1n2OtQj2Yx8mWw6c0rA==';
  const AGENT = '0b5bC6f2Sx6x3Q7o9aKq5w==';

  it('reads the SDP part and the RFC 7865 metadata', () => {
    assert.ok(r.sdp);
    assert.doesNotMatch(new TextDecoder().decode(r.sdp), /^t=/m);
    assert.equal(r.metadata?.namespace, 'urn:ietf:params:xml:ns:recording:1');
    assert.deepEqual(r.metadata?.warnings, []);
  });

  it('pairs each m-line with its sender; label order decides', () => {
    assert.deepEqual(mLines(r), [
      ['1', 'cXeQ7tL7T2eC6rK3kq1VZg==', [CALLER], 'caller'],
      ['2', 'Yq5wJmWkS3W0m5q0H9x1dA==', [AGENT], 'agent'],
    ]);
    assert.equal(r.session.roleSource, 'label-order');
    assert.deepEqual(
      r.session.participants.map((p) => [p.aor, p.name, p.role]),
      [
        ['sip:+12025550123@carrier.example.net', '+12025550123', 'caller'],
        ['sip:2117@pbx.example.com', 'Agent 2117', 'agent'],
      ],
    );
  });
});
