// SIPREC INVITEs from the vendor fixtures through SipIngress (fake RTP endpoints, fake clock):
// every leg.added says which role rule decided its role (roleSource, issue 10 point 2), and what
// metadata parsing tolerated is counted (siprecMetadataWarnings).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import type { LegAddedEvent } from '../../../src/session/index.js';
import { parseMessage } from '../../../src/sip/message/index.js';
import type { SipRequest } from '../../../src/sip/message/index.js';
import { fixture } from '../../support/paths.js';
import { readSiprecOffer } from '../../../src/ingress/siprec/index.js';
import { request, rig, sdp, settle } from './ingress-rig.js';

function fixtureInvite(name: string, extraHeader?: string): SipRequest {
  let bytes = new Uint8Array(readFileSync(fixture(`sip/siprec/${name}`)));
  if (extraHeader !== undefined) {
    const text = Buffer.from(bytes).toString('latin1');
    const at = text.indexOf('\r\n') + 2;
    bytes = new Uint8Array(Buffer.from(`${text.slice(0, at)}${extraHeader}\r\n${text.slice(at)}`, 'latin1'));
  }
  const message = parseMessage(bytes);
  if (message.kind !== 'request') throw new Error(`${name} is not a request`);
  return message;
}

function legsAdded(events: readonly { type: string }[]): LegAddedEvent[] {
  return events.filter((e): e is LegAddedEvent => e.type === 'leg.added');
}

describe('SipIngress: SIPREC roles and their source', () => {
  it('Ribbon: call data names the caller, so label 1 is the agent whatever the agent pattern says', async () => {
    const r = rig({ stt: undefined, recordDir: undefined, agentMatcher: { aorPrefix: '3125' } });
    await r.invite('d1', fixtureInvite('ribbon-calldata-agent-first.sip'));
    r.ingress.onConfirmed(r.info('d1'));
    await settle();
    assert.deepEqual(
      legsAdded(r.events).map((l) => [l.label, l.role, l.participant?.aor, l.roleSource]),
      [
        ['1', 'agent', '8500@192.0.2.55', 'vendor-marker'],
        ['2', 'caller', '3125550147@198.51.100.20', 'vendor-marker'],
      ],
    );
    assert.equal(r.ingress.siprecMetadataWarnings, 0);
  });

  it('Avaya SBCE: streams without stream_id are answered, their warnings counted', async () => {
    const r = rig({ stt: undefined, recordDir: undefined });
    await r.invite('d1', fixtureInvite('avaya-sbce-no-stream-id.sip'));
    r.ingress.onConfirmed(r.info('d1'));
    await settle();
    assert.deepEqual(
      legsAdded(r.events).map((l) => [l.label, l.role, l.participant?.aor, l.roleSource]),
      [
        ['10', 'caller', 'sip:+13125550142@pstn.example.org', 'label-order'],
        ['20', 'agent', 'sip:3001@avaya.example.com', 'label-order'],
      ],
    );
    assert.equal(r.ingress.siprecMetadataWarnings, 3);
  });

  it('BroadWorks: the draft recording_metadata INVITE (no Require: siprec) gets one mixed leg', async () => {
    const r = rig({ stt: undefined, recordDir: undefined });
    await r.invite('d1', fixtureInvite('broadworks-recording-metadata.sip'));
    r.ingress.onConfirmed(r.info('d1'));
    await settle();
    assert.deepEqual(
      legsAdded(r.events).map((l) => [l.label, l.role, l.participant, l.roleSource]),
      [['1', 'mixed', undefined, 'vendor-marker']],
    );
  });

  it('a plain SIP leg carries no roleSource', async () => {
    const r = rig({ stt: undefined, recordDir: undefined });
    await r.invite('d1', request({ callId: 'c1', body: sdp([[]]) }));
    r.ingress.onConfirmed(r.info('d1'));
    await settle();
    const legs = legsAdded(r.events);
    assert.equal(legs.length, 1);
    assert.equal(legs[0]?.role, 'caller');
    assert.equal('roleSource' in (legs[0] ?? {}), false);
  });

  it("headers the SRC adds with the recorded call's From decide before an agent pattern", () => {
    const invite = fixtureInvite(
      'avaya-sbce-no-stream-id.sip',
      'X-Original-From: <sip:3001@avaya.example.com>;tag=a',
    );
    const offer = readSiprecOffer(invite, {
      agentMatcher: { aorPrefix: 'sip:3001' },
      recordedCallHeaders: { from: ['X-Recorded-From', 'X-Original-From'] },
    });
    assert.equal(offer.recording.session.roleSource, 'recorded-call-parties');
    assert.deepEqual(
      offer.recording.mLines.map((m) => [m.label, m.role]),
      [
        ['10', 'agent'],
        ['20', 'caller'],
      ],
    );
    // Without the header configured, the agent pattern decides.
    assert.equal(
      readSiprecOffer(invite, { agentMatcher: { aorPrefix: 'sip:3001' } }).recording.session.roleSource,
      'agent-pattern',
    );
  });

  it('a draft-format partial update is answered in a re-INVITE and in an UPDATE', async () => {
    const r = rig({ stt: undefined, recordDir: undefined });
    await r.invite('d1', fixtureInvite('webex-calling-separate-streams.sip'));
    r.ingress.onConfirmed(r.info('d1'));
    await settle();
    const reinvite = fixtureInvite('webex-calling-reinvite-transfer.sip');
    const answer = await r.ingress.onReoffer(r.info('d1'), reinvite);
    assert.deepEqual(
      [...answer.body.matchAll(/^a=label:(\S+)/gm)].map((m) => m[1]),
      ['1', '2'],
    );
    // RFC 7866 lets the SRC send the same update in an UPDATE (RFC 3311) instead.
    const text = Buffer.from(
      readFileSync(fixture('sip/siprec/webex-calling-reinvite-transfer.sip')),
    ).toString('latin1');
    const update = parseMessage(
      new Uint8Array(
        Buffer.from(
          text.replace(/^INVITE /, 'UPDATE ').replace('CSeq: 2 INVITE', 'CSeq: 3 UPDATE'),
          'latin1',
        ),
      ),
    );
    assert.ok(update.kind === 'request' && update.method === 'UPDATE');
    const updated = await r.ingress.onReoffer(r.info('d1'), update);
    assert.equal((updated.body.match(/^m=audio /gm) ?? []).length, 2);
    // Nothing new to record: the legs stay the two of the first answer.
    await settle();
    assert.equal(legsAdded(r.events).length, 2);
  });

  it('a metadata-only UPDATE or re-INVITE (no SDP part, RFC 7866 §7.1.2) updates the recording without renegotiating', async () => {
    const r = rig({ stt: undefined, recordDir: undefined });
    await r.invite('d1', fixtureInvite('webex-calling-separate-streams.sip'));
    r.ingress.onConfirmed(r.info('d1'));
    await settle();
    // The transfer re-INVITE's body with its SDP part taken out: the draft-format partial
    // metadata alone, as multipart/mixed.
    const text = Buffer.from(
      readFileSync(fixture('sip/siprec/webex-calling-reinvite-transfer.sip')),
    ).toString('latin1');
    const boundary = /boundary="?([^";\r\n]+)/.exec(text)?.[1];
    assert.ok(boundary !== undefined);
    const [head, body] = [text.slice(0, text.indexOf('\r\n\r\n')), text.slice(text.indexOf('\r\n\r\n') + 4)];
    const parts = body.split(`--${boundary}`);
    const metadataOnly = parts
      .filter((part) => !/^\s*Content-Type:\s*application\/sdp/im.test(part))
      .join(`--${boundary}`);
    assert.doesNotMatch(metadataOnly, /^v=0/m);
    const message = (method: string, cseq: number): SipRequest => {
      const headers = head
        .replace(/^INVITE /, `${method} `)
        .replace(/CSeq: \d+ INVITE/, `CSeq: ${cseq} ${method}`)
        .replace(/Content-Length: \d+/, `Content-Length: ${Buffer.byteLength(metadataOnly, 'latin1')}`);
      const parsed = parseMessage(new Uint8Array(Buffer.from(`${headers}\r\n\r\n${metadataOnly}`, 'latin1')));
      assert.ok(parsed.kind === 'request');
      return parsed;
    };
    const before = r.ingress.recordingOf('d1');
    assert.deepEqual(
      before?.participants.map((p) => [p.aor, p.role, p.active]),
      [
        ['sip:+12025550188@webex.example.com;user=phone', 'agent', true],
        ['tel:+12025550147', 'caller', true],
      ],
    );

    // UPDATE: a 2xx without a body, nothing renegotiated (RFC 3311 §5.2).
    const updated = await r.ingress.onReoffer(r.info('d1'), message('UPDATE', 3));
    assert.equal(updated.body, '');
    const after = r.ingress.recordingOf('d1');
    assert.deepEqual(
      after?.participants.map((p) => [p.aor, p.role, p.active]),
      [
        ['sip:+12025550188@webex.example.com;user=phone', 'unknown', false],
        ['tel:+12025550147', 'caller', true],
        ['sip:+12025550199@webex.example.com;user=phone', 'agent', true],
      ],
    );

    // re-INVITE: our current description, as an offer the ACK answers (RFC 3261 §14.2).
    const reinvited = await r.ingress.onReoffer(r.info('d1'), message('INVITE', 4));
    assert.equal(reinvited.offer, true);
    assert.deepEqual(
      [...reinvited.body.matchAll(/^a=label:(\S+)/gm)].map((m) => m[1]),
      ['1', '2'],
    );
    await settle();
    assert.equal(legsAdded(r.events).length, 2);
  });
});
