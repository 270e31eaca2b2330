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

describe('BroadWorks namespace and extension', () => {
  const CALLER = 'YnctcGFydHktMQ==';
  const AGENT = 'YnctcGFydHktMg==';

  it('reads prefixed standard elements and BroadSoft call ids', () => {
    const r = load('broadworks-extension.sip');
    assert.deepEqual(r.metadata?.vendorCallIds, {
      callId: 'callhalf-1234567:0',
      extTrackingId: '55512:1',
    });
    assert.deepEqual(r.session.sessionIds, ['YnctMjAyNC0wNC0wMS0wMDE=']);
    // Associations list the agent first; sender order follows the m-lines.
    assert.deepEqual(mLines(r), [
      ['1', 'Ynctc3RyZWFtLTE=', [CALLER], 'caller'],
      ['2', 'Ynctc3RyZWFtLTI=', [AGENT], 'agent'],
    ]);
    assert.deepEqual(
      r.session.participants.map((p) => [p.aor, p.name, p.role]),
      [
        ['sip:+12025550147@enterprise.example.com', '+12025550147', 'caller'],
        ['sip:agent2001@enterprise.example.com', 'Agent 2001', 'agent'],
      ],
    );
  });

  it('agent matcher by prefix takes precedence over sender order', () => {
    const r = load('broadworks-extension.sip', {
      agentMatcher: { aorPrefix: 'sip:+1202' },
    });
    assert.equal(r.session.roleSource, 'agent-pattern');
    assert.deepEqual(
      r.mLines.map((m) => m.role),
      ['agent', 'caller'],
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
