// Offerless INVITEs (RFC 3261 §13.2.1, §13.3.1): Cisco CUCM's built-in-bridge recording sends a
// SIPREC INVITE without SDP, with or without metadata. SipIngress offers in the 200 and takes the
// answer from the ACK; only then are the call and its legs created.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { LegAddedEvent } from '../../../src/session/index.js';
import { SipRejection } from '../../../src/sip/dialog/index.js';
import type { SipRequest } from '../../../src/sip/message/index.js';
import { parseMessage } from '../../../src/sip/message/index.js';
import { parseSdp, sdpMediaView } from '../../../src/sip/sdp/index.js';
import { request, rig, settle } from './ingress-rig.js';

const BOUNDARY = 'cucm-boundary';

/** RFC 7865 metadata only (no SDP part), as a recorder-facing bridge may send: `labels` streams. */
function metadataOnly(labels: readonly string[]): string {
  const xml = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<recording xmlns="urn:ietf:params:xml:ns:recording:1">',
    '<datamode>complete</datamode>',
    '<session session_id="sess-1"></session>',
    ...labels.map(
      (l) => `<participant participant_id="p-${l}"><nameID aor="sip:party${l}@example.com"/></participant>`,
    ),
    ...labels.map((l) => `<stream stream_id="s-${l}" session_id="sess-1"><label>${l}</label></stream>`),
    ...labels.map(
      (l) => `<participantstreamassoc participant_id="p-${l}"><send>s-${l}</send></participantstreamassoc>`,
    ),
    '</recording>',
  ].join('\r\n');
  return [
    `--${BOUNDARY}`,
    'Content-Type: application/rs-metadata+xml',
    'Content-Disposition: recording-session',
    '',
    xml,
    `--${BOUNDARY}--`,
    '',
  ].join('\r\n');
}

let ackSeq = 0;

/** The ACK for our 2xx with `body` (an SDP answer) or none, parsed from text like the peer's. */
function ack(body: string, contentType = 'application/sdp'): SipRequest {
  const lines = [
    'ACK sip:bot@127.0.0.1:5060 SIP/2.0',
    `Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK-ack${++ackSeq}`,
    'Max-Forwards: 70',
    'From: <sip:+15551230001@127.0.0.1>;tag=peer',
    'To: <sip:bot@127.0.0.1>;tag=ours',
    'Call-ID: c1',
    'CSeq: 1 ACK',
    ...(body.length > 0 ? [`Content-Type: ${contentType}`] : []),
    `Content-Length: ${Buffer.byteLength(body)}`,
    '',
    body,
  ];
  const message = parseMessage(new TextEncoder().encode(lines.join('\r\n')));
  if (message.kind !== 'request') throw new Error('not a request');
  return message;
}

/** An SDP answer: one m-line per entry, `[port, payload type, attributes...]`. */
function answerSdp(lines: readonly (readonly [number, number, ...string[]])[]): string {
  const out = ['v=0', 'o=src 7 7 IN IP4 127.0.0.1', 's=-', 'c=IN IP4 127.0.0.1', 't=0 0'];
  for (const [port, pt, ...attrs] of lines) {
    out.push(`m=audio ${port} RTP/AVP ${pt}`, ...attrs);
  }
  return `${out.join('\r\n')}\r\n`;
}

function legs(events: readonly { type: string }[]): LegAddedEvent[] {
  return events.filter((e): e is LegAddedEvent => e.type === 'leg.added');
}

describe('SipIngress: offerless INVITE', () => {
  it('plain call: offers PCMU, PCMA, telephone-event sendrecv in the 200; the ACK answer creates the call', async () => {
    const r = rig({ stt: undefined, recordDir: undefined });
    const answer = await r.invite('d1', request({ callId: 'c1', body: '' }));
    assert.equal(answer.offer, true);
    const offer = parseSdp(answer.body);
    assert.equal(offer.media.length, 1);
    assert.equal(offer.media[0]!.port, 30000);
    assert.deepEqual(offer.media[0]!.formats, ['0', '8', '101']);
    const view = sdpMediaView(offer, 0);
    assert.equal(view.direction, 'sendrecv');
    assert.equal(view.rtpMaps.get(101)?.encodingName, 'telephone-event');
    assert.equal(r.pool.inUse, 1);
    assert.deepEqual(r.types(), [], 'no call before the ACK');
    assert.equal(r.ingress.offerlessInvites, 1);

    // The answer picks PCMA: the leg decodes A-law and sends to the answer's address.
    r.ingress.onConfirmed(r.info('d1'), ack(answerSdp([[40010, 8, 'a=rtpmap:8 PCMA/8000', 'a=sendrecv']])));
    await settle();
    assert.deepEqual(r.types(), ['call.started', 'leg.added']);
    assert.equal(legs(r.events)[0]!.codec, 'PCMA/8000');
    assert.equal(legs(r.events)[0]!.role, 'caller');
    assert.deepEqual(r.pool.endpoints[0]!.remote, { address: '127.0.0.1', port: 40010, rtcpPort: 40011 });
    r.ingress.onEnded(r.info('d1'), 'remote-bye');
    await r.ingress.idle();
    assert.equal(r.pool.inUse, 0);
  });

  it('SIPREC without any body: two labelled recvonly m-lines; the answer gives two legs', async () => {
    const r = rig({ stt: undefined, recordDir: undefined });
    const invite = request({ callId: 'c1', body: '', headers: ['Require: siprec'] });
    const answer = await r.invite('d1', invite);
    const offer = parseSdp(answer.body);
    assert.deepEqual(
      offer.media.map((_, i) => [sdpMediaView(offer, i).label, sdpMediaView(offer, i).direction]),
      [
        ['1', 'recvonly'],
        ['2', 'recvonly'],
      ],
    );
    assert.equal(r.pool.inUse, 2);
    r.ingress.onConfirmed(
      r.info('d1'),
      ack(
        answerSdp([
          [40000, 0, 'a=sendonly'],
          [40002, 0, 'a=sendonly'],
        ]),
      ),
    );
    await settle();
    // Roles without metadata are sip/siprec's rule (label order), the same as for an SDP-only offer.
    assert.deepEqual(
      legs(r.events).map((l) => [l.label, l.codec]),
      [
        ['1', 'PCMU/8000'],
        ['2', 'PCMU/8000'],
      ],
    );
    assert.deepEqual(
      r.pool.endpoints.map((e) => e.remote?.port),
      [40000, 40002],
    );
    r.ingress.onEnded(r.info('d1'), 'remote-bye');
    await r.ingress.idle();
    assert.equal(r.pool.inUse, 0);
  });

  it('SIPREC with metadata but no SDP: one m-line per described stream, legs carry the participants', async () => {
    const r = rig({ stt: undefined, recordDir: undefined });
    const invite = request({
      callId: 'c1',
      body: metadataOnly(['7', '8', '9']),
      contentType: `multipart/mixed;boundary=${BOUNDARY}`,
      headers: ['Require: siprec'],
    });
    const offer = parseSdp((await r.invite('d1', invite)).body);
    assert.deepEqual(
      offer.media.map((_, i) => sdpMediaView(offer, i).label),
      ['7', '8', '9'],
    );
    // The answerer need not echo a=label (RFC 4574): ours name the streams.
    r.ingress.onConfirmed(
      r.info('d1'),
      ack(
        answerSdp([
          [40000, 0, 'a=sendonly'],
          [40002, 0, 'a=sendonly'],
          [40004, 0, 'a=sendonly'],
        ]),
      ),
    );
    await settle();
    assert.deepEqual(
      legs(r.events).map((l) => [l.label, l.participant?.aor]),
      [
        ['7', 'sip:party7@example.com'],
        ['8', 'sip:party8@example.com'],
        ['9', 'sip:party9@example.com'],
      ],
    );
    r.ingress.onEnded(r.info('d1'), 'remote-bye');
    await r.ingress.idle();
  });

  it('an m-line the answer declines (port 0) gets no leg and its ports go back at once', async () => {
    const r = rig({ stt: undefined, recordDir: undefined });
    await r.invite('d1', request({ callId: 'c1', body: '', headers: ['Require: siprec'] }));
    r.ingress.onConfirmed(
      r.info('d1'),
      ack(
        answerSdp([
          [40000, 0, 'a=sendonly'],
          [0, 0],
        ]),
      ),
    );
    await settle();
    assert.deepEqual(
      legs(r.events).map((l) => l.label),
      ['1'],
    );
    assert.equal(r.pool.inUse, 1);
    r.ingress.onEnded(r.info('d1'), 'remote-bye');
    await r.ingress.idle();
    assert.equal(r.pool.inUse, 0);
  });

  for (const [name, body, expected] of [
    ['no common codec', answerSdp([[40000, 18, 'a=rtpmap:18 G729/8000']]), /m-line 0: no common codec/],
    [
      'another m-line count',
      answerSdp([
        [40000, 0],
        [40002, 0],
      ]),
      /has 2 m-lines for the 1 of our offer/,
    ],
    ['not SDP', 'hello', /not valid SDP/],
  ] as const) {
    it(`an unusable answer in the ACK (${name}): 488-style refusal, then released, counted and logged`, async () => {
      const errors: string[] = [];
      const r = rig({
        stt: undefined,
        recordDir: undefined,
        onError: (error) => errors.push(error instanceof Error ? error.message : String(error)),
      });
      await r.invite('d1', request({ callId: 'c1', body: '' }));
      assert.throws(
        () => r.ingress.onConfirmed(r.info('d1'), ack(body)),
        (error: unknown) => {
          assert.ok(error instanceof SipRejection);
          assert.equal(error.status, 488);
          assert.match(error.warning ?? '', expected);
          return true;
        },
      );
      // The user agent then sends BYE and ends the dialog with bad-answer.
      r.ingress.onEnded(r.info('d1'), 'bad-answer');
      await r.ingress.idle();
      await settle();
      assert.deepEqual(r.types(), [], 'no call was ever created');
      assert.equal(r.pool.inUse, 0);
      assert.equal(r.ingress.badAnswers, 1);
      assert.equal(errors.length, 1);
      assert.match(errors[0]!, /^offerless call ended with BYE: /);
      assert.match(errors[0]!, expected);
    });
  }

  it('an ACK without a body: the user agent ends it (bad-answer); everything is released', async () => {
    const r = rig({ stt: undefined, recordDir: undefined });
    await r.invite('d1', request({ callId: 'c1', body: '', headers: ['Require: siprec'] }));
    assert.equal(r.pool.inUse, 2);
    r.ingress.onEnded(r.info('d1'), 'bad-answer');
    await r.ingress.idle();
    assert.equal(r.pool.inUse, 0);
    assert.equal(r.ingress.badAnswers, 1);
  });

  it('a plain INVITE with a body that is not SDP is still 415 (not taken as offerless), saying why', async () => {
    const r = rig({ stt: undefined, recordDir: undefined });
    await assert.rejects(
      r.invite('d1', request({ callId: 'c1', body: 'hello', contentType: 'text/plain' })),
      (error: unknown) => {
        assert.ok(error instanceof SipRejection);
        assert.equal(error.status, 415);
        assert.match(error.warning ?? '', /must be application\/sdp, not text\/plain/);
        return true;
      },
    );
    assert.equal(r.pool.opened, 0);
  });

  it('metadata describing more streams than maxAudioStreams: 488 with a Warning, nothing bound', async () => {
    const r = rig({ stt: undefined, recordDir: undefined, maxAudioStreams: 2 });
    const invite = request({
      callId: 'c1',
      body: metadataOnly(['1', '2', '3']),
      contentType: `multipart/mixed;boundary=${BOUNDARY}`,
      headers: ['Require: siprec'],
    });
    await assert.rejects(r.invite('d1', invite), (error: unknown) => {
      assert.ok(error instanceof SipRejection);
      assert.equal(error.status, 488);
      assert.match(error.warning ?? '', /3 streams; at most 2/);
      return true;
    });
    assert.equal(r.pool.opened, 0);
  });
});
